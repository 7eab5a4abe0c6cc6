using System.Net.Http.Headers;
using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Testing;

namespace AlertPipeline.IntegrationTests.Corpus;

/// <summary>
/// <c>tests/corpus/api.json</c> through the real HTTP pipeline of the function app's API (keys, gate, body reader,
/// validation, Azurite): each bad body or query string answers its status with the field named, writes nothing (no
/// branch, contact, key or schedule appears), and neither the answer nor the log quotes a number or an address.
/// </summary>
public sealed class ApiCorpusTests(CorpusApp app) : IClassFixture<CorpusApp>
{
    private const string File = "api.json";

    public static TheoryData<string> Cases => Corpus.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadRequest_IsRefusedNamingTheField(string name)
    {
        var item = Corpus.Case(File, name);
        var path = app.Union.Base + Corpus.String(item, "path")!
            .Replace("{branch}", app.Union.Branch, StringComparison.Ordinal)
            .Replace("{campaign}", app.Campaign.Value, StringComparison.Ordinal);
        var key = Corpus.String(item, "key") == "organiser" ? app.Union.OrganiserKey : app.Union.AdminKey;
        using var content = Content(item);
        var before = await WrittenAsync();
        var mark = app.Logs.Lines.Count;

        using var response = await app.SendAsync(new HttpMethod(Corpus.String(item, "method")!), path, key, content);

        var answer = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(item["status"]!.GetValue<int>(), answer);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using (var problem = JsonDocument.Parse(answer))
        {
            CorpusProblems.Expect(problem.RootElement, Corpus.String(item, "field"), Corpus.String(item, "message")!, answer);
        }

        (await WrittenAsync()).Should().Be(before, "a refused request writes nothing");
        LogScan.Lines([answer], "answer").Should().BeEmpty("an answer never quotes a number or an address");
        var lines = app.LinesSince(mark);
        LogScan.Lines(lines, name).Should().BeEmpty(LogScan.Report(LogScan.Lines(lines, name)));
    }

    private static ByteArrayContent? Content(System.Text.Json.Nodes.JsonObject item)
    {
        string? text = item["json"] is { } json ? Corpus.Expand(json)!.ToJsonString(Corpus.Literal) : Corpus.String(item, "body") is { } body ? Corpus.Expand(body) : null;
        if (text is null)
        {
            return null;
        }

        var content = new ByteArrayContent(Corpus.Encode(text, Corpus.String(item, "encoding")));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(Corpus.String(item, "contentType") ?? "application/json");
        return content;
    }

    /// <summary>What a wrongly accepted request would have written: branches, contacts, keys and schedules of the union.</summary>
    private async Task<string> WrittenAsync()
    {
        var union = UnionId.Parse(app.Union.UnionId);
        var membership = app.Service<MembershipRepository>();
        var branches = await membership.GetBranchesAsync(union);
        var contacts = (await membership.GetContactsPageAsync(union, BranchId.Parse(app.Union.Branch), 1000, null)).Contacts.Count;
        var keys = (await app.Service<Infrastructure.Api.ApiKeyService>().ListAsync(union)).Count;
        var schedules = (await app.Service<Core.Scheduling.Ports.IScheduleCatalog>().ListAsync(app.Campaign, app.Campaign.Value + "--")).Count;
        return $"{branches.Count} branches, {contacts} contacts, {keys} keys, {schedules} schedules";
    }
}

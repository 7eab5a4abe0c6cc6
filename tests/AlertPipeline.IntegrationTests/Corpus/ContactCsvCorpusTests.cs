using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Testing;

namespace AlertPipeline.IntegrationTests.Corpus;

/// <summary>
/// <c>tests/corpus/contacts-csv.json</c> through the real import endpoint (HTTP, union-admin key, Azurite): each file
/// goes to a new branch; the answer's status, per-line errors and warnings (line, field, message) or the refusal's field
/// are those the case expects, exactly the lines expected are stored, and neither the answer nor the log quotes a
/// number or an address.
/// </summary>
public sealed class ContactCsvCorpusTests(CorpusApp app) : IClassFixture<CorpusApp>
{
    private const string File = "contacts-csv.json";

    public static TheoryData<string> Cases => Corpus.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadCsv_IsReportedByLineAndField(string name)
    {
        var item = Corpus.Case(File, name);
        var text = Corpus.Expand(Corpus.String(item, "csv")!).Replace("{H}", string.Join(',', ContactCsv.Columns), StringComparison.Ordinal);
        var branch = BranchId.Parse(AzuriteFixture.UniqueName("b"));
        var union = UnionId.Parse(app.Union.UnionId);
        await app.Service<MembershipRepository>().UpsertBranchAsync(new Branch(union, branch, "Corpus"));
        using var content = new ByteArrayContent(Corpus.Encode(text, Corpus.String(item, "encoding")));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(Corpus.String(item, "contentType") ?? "text/csv");
        var mark = app.Logs.Lines.Count;

        using var response = await app.SendAsync(HttpMethod.Post, $"{app.Union.Base}/branches/{branch}/contacts:import", app.Union.AdminKey, content);

        var answer = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(item["status"]!.GetValue<int>(), answer);
        using var json = JsonDocument.Parse(answer);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            json.RootElement.GetProperty("imported").GetInt32().Should().Be(item["imported"]!.GetValue<int>(), answer);
            Expect(json.RootElement.GetProperty("errors"), item["errors"]!.AsArray(), answer);
            Expect(json.RootElement.TryGetProperty("warnings", out var warnings) ? warnings : default, item["warnings"]?.AsArray() ?? [], answer);
        }
        else
        {
            CorpusProblems.Expect(json.RootElement, Corpus.String(item, "field"), Corpus.String(item, "message")!, answer);
        }

        var stored = await app.Service<MembershipRepository>().GetContactsPageAsync(union, branch, 1000, null);
        stored.Contacts.Should().HaveCount(response.StatusCode == HttpStatusCode.OK ? item["imported"]!.GetValue<int>() : 0, "exactly the good lines are stored");
        LogScan.Lines([answer], "answer").Should().BeEmpty("an answer never quotes a number or an address");
        var lines = app.LinesSince(mark);
        LogScan.Lines(lines, name).Should().BeEmpty(LogScan.Report(LogScan.Lines(lines, name)));
    }

    private static void Expect(JsonElement actual, System.Text.Json.Nodes.JsonArray expected, string answer)
    {
        var list = actual.ValueKind == JsonValueKind.Array ? actual.EnumerateArray().ToList() : [];
        list.Should().HaveCount(expected.Count, answer);
        for (var i = 0; i < expected.Count; i++)
        {
            var want = expected[i]!;
            list[i].GetProperty("line").GetInt32().Should().Be(want["line"]!.GetValue<int>(), answer);
            list[i].GetProperty("field").GetString().Should().Be(want["field"]!.GetValue<string>(), answer);
            var message = list[i].GetProperty("message").GetString();
            message.Should().NotBeNullOrWhiteSpace().And.Contain(want["message"]!.GetValue<string>(), answer);
        }
    }
}

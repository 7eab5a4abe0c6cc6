using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Imports;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Imports;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>
/// A contact import job on the real stack (the function app under the local host, as its own OS process, on Azurite):
/// uploaded over HTTP, the host SIGKILLed mid-job and started again. The job resumes at its checkpoint and every member
/// is imported once.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class ImportCrashTests(ITestOutputHelper output)
{
    private const int Members = 6000;

    [Fact]
    public async Task LocalHostKilledMidImport_Restarted_TheJobResumesAtItsCheckpoint_AndEveryMemberIsImportedOnce()
    {
        await using var world = await PipelineEnvironment.CreateAsync(output);
        world.Settings["Imports:SliceLines"] = "500";
        world.Settings["Imports:SliceParallelism"] = "1"; // slow slices: a window to crash in
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = world.Azurite.ConnectionString }).Build();
        await using var services = new ServiceCollection().AddLogging().AddContactImports(configuration).BuildServiceProvider();
        var unionId = UnionId.Parse("kz-oil");
        var membership = services.GetRequiredService<MembershipRepository>();
        await membership.UpsertUnionAsync(new Union(unionId, "Oil workers"));
        await membership.UpsertBranchAsync(new Branch(unionId, BranchId.Parse("central"), "Central"));
        var key = (await services.GetRequiredService<ApiKeyService>().CreateAsync(unionId, ApiRole.UnionAdmin)).Secret;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{world.HttpPort}") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);

        var first = world.StartHostProcess();
        await Poll.UntilAsync(async () => await TryGetAsync(http, "/api/health") == HttpStatusCode.OK, "the local host to serve HTTP", TimeSpan.FromSeconds(90));
        using var accepted = await http.PostAsync("/api/unions/kz-oil/branches/central/contacts:import", new StringContent(Csv(), Encoding.UTF8, "text/csv"));
        accepted.StatusCode.Should().Be(HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync());
        var location = accepted.Headers.Location!.ToString();
        var jobId = ImportJobId.Parse(location[(location.LastIndexOf('/') + 1)..]);
        await Poll.UntilAsync(async () => (await JobAsync(http, location)).GetProperty("linesDone").GetInt32() >= 1000, "the job to be under way", TimeSpan.FromSeconds(120));
        first.Kill();
        var atKill = (await services.GetRequiredService<ImportJobStore>().GetAsync(unionId, jobId))!.Job;
        output.WriteLine($"killed at line {atKill.LinesDone} of {atKill.LinesTotal}");
        atKill.State.Should().Be(ImportJobState.Running, "the kill must land mid-job for this test to mean anything");

        world.StartHostProcess();
        var seen = new List<int>();
        var done = await Poll.ForAsync(
            async () => await TryJobAsync(http, location),
            job => { if (job is { } j) { seen.Add(j.GetProperty("linesDone").GetInt32()); } return job?.GetProperty("state").GetString() == "succeeded"; },
            "the job to finish after the restart",
            TimeSpan.FromSeconds(240));

        seen.Should().OnlyContain(l => l >= atKill.LinesDone, "the restarted host resumes at the checkpoint, never at line 1");
        done!.Value.GetProperty("imported").GetInt32().Should().Be(Members);
        done.Value.GetProperty("rejected").GetInt32().Should().Be(0);
        var count = 0;
        string? token = null;
        do
        {
            var page = await membership.GetContactsPageAsync(unionId, BranchId.Parse("central"), 1000, token);
            count += page.Contacts.Count;
            token = page.ContinuationToken;
        }
        while (token is not null);

        count.Should().Be(Members, "every member once: a slice done again upserts the same rows");
        var audit = await services.GetRequiredService<AuditLog>().ReadRecentAsync(unionId, 20);
        audit.Count(a => a.Method == "JOB" && a.Targets.EndsWith(" start", StringComparison.Ordinal)).Should().Be(1);
        audit.Count(a => a.Method == "JOB" && a.Targets.Contains(" finish ", StringComparison.Ordinal)).Should().Be(1);
    }

    private static string Csv()
    {
        var csv = new StringBuilder("contactId,name,phone,email,language,timeZone,smsConsent,emailConsent\n");
        for (var i = 0; i < Members; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"m{i:D5},Member {i},+4477009{i:D5},,en,Europe/London,true,false\n");
        }

        return csv.ToString();
    }

    private static async Task<HttpStatusCode?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private static async Task<JsonElement> JobAsync(HttpClient http, string location)
    {
        using var response = await http.GetAsync(location + "?pageSize=1");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await JsonAsync(response);
    }

    private static async Task<JsonElement?> TryJobAsync(HttpClient http, string location)
    {
        try
        {
            using var response = await http.GetAsync(location + "?pageSize=1");
            return response.StatusCode == HttpStatusCode.OK ? await JsonAsync(response) : null;
        }
        catch (HttpRequestException)
        {
            return null; // the restarted host is not serving yet
        }
    }
}

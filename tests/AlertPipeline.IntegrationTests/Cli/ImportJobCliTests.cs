using System.Globalization;
using System.Text;
using System.Text.Json;
using AlertPipeline.Cli;
using AlertPipeline.IntegrationTests.Api;
using AlertPipeline.Testing;

namespace AlertPipeline.IntegrationTests.Cli;

/// <summary><c>contacts import</c> of a file the API imports as a job: progress while it runs, then the report; <c>--no-wait</c> and <c>import-status</c>.</summary>
public sealed class ImportJobCliTests(ImportJobTestApp app) : IClassFixture<ImportJobTestApp>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("alertpipeline-cli-imports").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ContactsImport_LargeFile_FollowsTheJobWithProgressLines_ThenPrintsTheReport()
    {
        var union = await app.NewUnionAsync();
        var csv = await WriteMembersAsync("large.csv", 2600, badEvery: 1000);

        var cli = RunAsync(union, "contacts", "import", csv, "--branch", union.Branch, "--poll-interval", "0.05");
        await Poll.UntilAsync(async () => (await app.Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0, "the job's first message");
        await app.DrainAsync();
        var result = await cli;

        result.ExitCode.Should().Be(ExitCodes.LinesRejected, result.ToString());
        result.Out.Should().MatchRegex(@"Import job [0-9a-f]{32} (queued|running): 0 of 2,601 lines", "a plain console gets a line per change, not a bar");
        result.Out.Should().Contain("succeeded: 2,601 of 2,601 lines; 2,597 imported, 3 rejected.");
        result.Out.Should().Contain("Imported 2597 line(s); rejected 3.");
        result.Out.Should().Contain("the phone number has too few digits");
        result.Out.Should().NotContain("+4477009", "the report never quotes a number");
    }

    [Fact]
    public async Task ContactsImport_NoWait_PrintsTheJob_AndImportStatusShowsProgressThenTheReport()
    {
        var union = await app.NewUnionAsync();
        var csv = await WriteMembersAsync("later.csv", 2100, badEvery: 0);

        var queued = await RunAsync(union, "contacts", "import", csv, "--branch", union.Branch, "--no-wait");
        var jobId = System.Text.RegularExpressions.Regex.Match(queued.Out, "Import job ([0-9a-f]{32}) queued").Groups[1].Value;
        var before = await RunAsync(union, "contacts", "import-status", jobId);
        await app.DrainAsync();
        var after = await RunAsync(union, "contacts", "import-status", jobId, "--json");
        var missing = await RunAsync(union, "contacts", "import-status", new string('0', 32));

        queued.ExitCode.Should().Be(ExitCodes.Success, queued.ToString());
        jobId.Should().HaveLength(32, queued.Out);
        queued.Out.Should().Contain($"alertpipeline contacts import-status {jobId} --wait");
        before.ExitCode.Should().Be(ExitCodes.Success, before.ToString());
        before.Out.Should().Contain($"Import job {jobId} queued: 0 of 2,101 lines");
        after.ExitCode.Should().Be(ExitCodes.Success, after.ToString());
        var job = JsonDocument.Parse(after.Out).RootElement;
        job.GetProperty("state").GetString().Should().Be("succeeded");
        job.GetProperty("imported").GetInt32().Should().Be(2100);
        missing.ExitCode.Should().Be(ExitCodes.NotFound, missing.ToString());
    }

    private Task<CliResult> RunAsync(TestUnion union, params string[] args) =>
        CliHarness.RunAsync(() => app.Factory.Server.CreateHandler(), environment: null, [.. args, "--api-url", "http://localhost", "--key", union.AdminKey, "--union", union.UnionId]);

    private async Task<string> WriteMembersAsync(string name, int count, int badEvery)
    {
        var csv = new StringBuilder("contactId,name,phone,email,language,timeZone,smsConsent,emailConsent\n");
        for (var i = 0; i < count; i++)
        {
            var phone = badEvery > 0 && i % badEvery == 7 ? "+44 12" : $"+4477009{i:D5}";
            csv.Append(CultureInfo.InvariantCulture, $"c{i:D5},Member {i},{phone},,en,Europe/London,true,false\n");
        }

        var path = Path.Combine(_folder, name);
        await File.WriteAllTextAsync(path, csv.ToString());
        return path;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Imports;
using AlertPipeline.Infrastructure.Imports;
using AlertPipeline.Infrastructure.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AlertPipeline.IntegrationTests.Api;

/// <summary>Contact imports over the job threshold: 202, the job resource, slices on the queue, resume, retry, tenancy (docs/api.md "Import jobs").</summary>
public sealed class ImportJobApiTests(ImportJobTestApp app, ITestOutputHelper output) : IClassFixture<ImportJobTestApp>
{
    private const string Header = "contactId,name,phone,email,language,timeZone,smsConsent,emailConsent";

    [Fact]
    public async Task Import_TenThousandLinesWithSomeBad_IsAJobThatImportsTheRestAndReportsEachBadLineOncePageByPage()
    {
        var union = await app.NewUnionAsync();
        var (csv, expected) = Members(10_000, "m");
        var stopwatch = Stopwatch.StartNew();

        using var accepted = await app.SendAsync(HttpMethod.Post, ImportPath(union), union.AdminKey, ApiTestApp.Csv(csv));
        var queued = await ApiTestApp.ReadJsonAsync(accepted);
        var outcomes = await app.DrainAsync();
        stopwatch.Stop();

        accepted.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var jobId = queued.GetProperty("jobId").GetString()!;
        accepted.Headers.Location!.ToString().Should().Be($"/api/unions/{union.UnionId}/imports/{jobId}");
        queued.GetProperty("state").GetString().Should().Be("queued");
        queued.GetProperty("linesTotal").GetInt32().Should().Be(10_001);
        queued.GetProperty("linesDone").GetInt32().Should().Be(0);
        outcomes.Should().Equal(ImportSliceOutcome.Advanced, ImportSliceOutcome.Advanced, ImportSliceOutcome.Advanced, ImportSliceOutcome.Advanced, ImportSliceOutcome.Finished);

        var (job, errors) = await ReadWholeReportAsync(union, jobId, pageSize: 7);
        job.GetProperty("state").GetString().Should().Be("succeeded");
        job.GetProperty("linesDone").GetInt32().Should().Be(10_001);
        job.GetProperty("imported").GetInt32().Should().Be(10_000 - expected.Count);
        job.GetProperty("rejected").GetInt32().Should().Be(expected.Count);
        job.GetProperty("startedAt").ValueKind.Should().Be(JsonValueKind.String);
        job.GetProperty("finishedAt").ValueKind.Should().Be(JsonValueKind.String);
        errors.Should().Equal(expected, "every bad line is reported once, by number and field, in file order, across pages");
        (await CountContactsAsync(union)).Should().Be(10_000 - expected.Count);
        output.WriteLine($"10,000-line import as a job ({csv.Length / 1024} KiB, {expected.Count} bad lines, {outcomes.Count} slices): {stopwatch.ElapsedMilliseconds} ms");

        var audit = await app.Audit.ReadRecentAsync(UnionId.Parse(union.UnionId), 10);
        audit.Select(a => (a.Method, a.Status, a.Targets)).Should().Contain(
        [
            ("POST", 202, "branch=central import"),
            ("JOB", 202, $"branch=central import={jobId} start"),
            ("JOB", 200, $"branch=central import={jobId} finish state=succeeded imported={10_000 - expected.Count} rejected={expected.Count}"),
        ]);
        audit.Count(a => a.Method == "JOB").Should().Be(2, "the start and the end, once each");
    }

    [Fact]
    public async Task Import_CrashMidSlice_ResumesFromTheCheckpoint_NeverFromZero_AndWritesNoDuplicates()
    {
        var union = await app.NewUnionAsync();
        var (csv, expected) = Members(6000, "c");
        using var accepted = await app.SendAsync(HttpMethod.Post, ImportPath(union), union.AdminKey, ApiTestApp.Csv(csv));
        var jobId = ImportJobId.Parse((await ApiTestApp.ReadJsonAsync(accepted)).GetProperty("jobId").GetString()!);
        var unionId = UnionId.Parse(union.UnionId);

        // Slice 1 (lines 1-2500) completes; the worker then dies in the middle of slice 2: its message is not deleted.
        var first = (await app.Queue.ReceiveMessageAsync()).Value;
        (await app.Jobs.ProcessSliceAsync(ImportJobTestApp.Read(first.Body.ToString()))).Should().Be(ImportSliceOutcome.Advanced);
        await app.Queue.DeleteMessageAsync(first.MessageId, first.PopReceipt);
        var second = (await app.Queue.ReceiveMessageAsync(TimeSpan.FromSeconds(60))).Value;
        using (var crash = new CancellationTokenSource(TimeSpan.FromMilliseconds(150)))
        {
            try
            {
                await app.Jobs.ProcessSliceAsync(ImportJobTestApp.Read(second.Body.ToString()), crash.Token);
            }
            catch (OperationCanceledException)
            {
                // Killed mid-slice: whatever it wrote stays, the checkpoint may or may not have moved.
            }
        }

        // A duplicate of the first message (a stale token) is dropped whenever it comes back.
        (await app.Jobs.ProcessSliceAsync(ImportJobTestApp.Read(first.Body.ToString()))).Should().Be(ImportSliceOutcome.Dropped);
        var atCrash = (await app.Store.GetAsync(unionId, jobId))!.Job;
        atCrash.LinesDone.Should().BeOneOf(2500, 5000);
        atCrash.State.Should().Be(ImportJobState.Running);

        // The host redelivers the message once its visibility runs out (here: at once).
        await app.Queue.UpdateMessageAsync(second.MessageId, second.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        var outcomes = await app.DrainAsync();

        var slicesLeft = (int)Math.Ceiling((6001 - atCrash.LinesDone) / 2500.0);
        outcomes.Count(o => o != ImportSliceOutcome.Dropped).Should().Be(slicesLeft, "the job resumes at its checkpoint ({0}), not at line 1", atCrash.LinesDone);
        outcomes.Last(o => o != ImportSliceOutcome.Dropped).Should().Be(ImportSliceOutcome.Finished);
        var (job, errors) = await ReadWholeReportAsync(union, jobId.Value, pageSize: 1000);
        job.GetProperty("state").GetString().Should().Be("succeeded");
        job.GetProperty("imported").GetInt32().Should().Be(6000 - expected.Count);
        job.GetProperty("rejected").GetInt32().Should().Be(expected.Count);
        errors.Should().Equal(expected, "a slice done twice reports its lines once");
        (await CountContactsAsync(union)).Should().Be(6000 - expected.Count);
    }

    [Fact]
    public async Task Import_SameFileAgain_GetsTheSameJob_QueuesNothingNew_AndReimportingTheLinesAddsNoContact()
    {
        var union = await app.NewUnionAsync();
        var (csv, expected) = Members(2500, "r");

        using var first = await app.SendAsync(HttpMethod.Post, ImportPath(union), union.AdminKey, ApiTestApp.Csv(csv));
        using var retry = await app.SendAsync(HttpMethod.Post, ImportPath(union), union.AdminKey, ApiTestApp.Csv(csv));
        var queuedMessages = (await app.Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        await app.DrainAsync();
        using var afterwards = await app.SendAsync(HttpMethod.Post, ImportPath(union), union.AdminKey, ApiTestApp.Csv(csv));
        var queuedAfterwards = (await app.Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

        first.StatusCode.Should().Be(HttpStatusCode.Accepted);
        retry.StatusCode.Should().Be(HttpStatusCode.Accepted);
        afterwards.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var jobId = (await ApiTestApp.ReadJsonAsync(first)).GetProperty("jobId").GetString();
        (await ApiTestApp.ReadJsonAsync(retry)).GetProperty("jobId").GetString().Should().Be(jobId);
        retry.Headers.Location.Should().Be(first.Headers.Location);
        queuedMessages.Should().Be(1, "the retried upload found the first job");
        var done = await ApiTestApp.ReadJsonAsync(afterwards);
        done.GetProperty("jobId").GetString().Should().Be(jobId);
        done.GetProperty("state").GetString().Should().Be("succeeded", "the same file after the job finished answers the finished job");
        queuedAfterwards.Should().Be(0);

        // The finished job stored the branch's contact count for fan-out's layout; make it stale, as a single contact write would.
        var counts = app.Factory.Services.GetRequiredService<MembershipRepository>();
        var (unionId, branchId) = (UnionId.Parse(union.UnionId), BranchId.Parse(union.Branch));
        (await counts.GetAsync(unionId, branchId))!.Contacts.Should().Be(2500 - expected.Count);
        await counts.RecordAsync(unionId, branchId, new Core.Ports.BranchContactCount(1, NodaTime.Instant.FromUtc(2020, 1, 1, 0, 0)));

        // The same lines in a different file (one more blank line) are a new job that upserts the same contacts.
        using var again = await app.SendAsync(HttpMethod.Post, ImportPath(union), union.AdminKey, ApiTestApp.Csv(csv + "\n"));
        var againId = (await ApiTestApp.ReadJsonAsync(again)).GetProperty("jobId").GetString();
        await app.DrainAsync();
        againId.Should().NotBe(jobId);
        var (job, errors) = await ReadWholeReportAsync(union, againId!, pageSize: 1000);
        job.GetProperty("imported").GetInt32().Should().Be(2500 - expected.Count);
        errors.Should().Equal(expected);
        (await CountContactsAsync(union)).Should().Be(2500 - expected.Count, "an import upserts by contactId: no member twice");
        var stored = await counts.GetAsync(unionId, branchId);
        stored!.Contacts.Should().Be(2500 - expected.Count, "the job's end counts the branch again: members it re-imported are not added twice");
        stored.CountedAt.Should().BeGreaterThan(NodaTime.Instant.FromUtc(2020, 1, 1, 0, 0));
        var list = await ApiTestApp.ReadJsonAsync(await app.SendAsync(HttpMethod.Get, $"/api/unions/{union.UnionId}/imports", union.AdminKey));
        list.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("jobId").GetString()).Should().Equal(againId, jobId);
    }

    [Fact]
    public async Task ImportJob_AnotherUnionsKey_Gets404ExactlyAsAMissingJob_AndAnOrganiserKey403()
    {
        var owner = await app.NewUnionAsync();
        var other = await app.NewUnionAsync();
        var (csv, _) = Members(2100, "x");
        using var accepted = await app.SendAsync(HttpMethod.Post, ImportPath(owner), owner.AdminKey, ApiTestApp.Csv(csv));
        var jobId = (await ApiTestApp.ReadJsonAsync(accepted)).GetProperty("jobId").GetString();
        await app.DrainAsync();

        using var own = await app.SendAsync(HttpMethod.Get, $"/api/unions/{owner.UnionId}/imports/{jobId}", owner.AdminKey);
        using var viaOwnerRoute = await app.SendAsync(HttpMethod.Get, $"/api/unions/{owner.UnionId}/imports/{jobId}", other.AdminKey);
        using var viaOwnRoute = await app.SendAsync(HttpMethod.Get, $"/api/unions/{other.UnionId}/imports/{jobId}", other.AdminKey);
        using var missing = await app.SendAsync(HttpMethod.Get, $"/api/unions/{other.UnionId}/imports/{ImportJobId.New()}", other.AdminKey);
        using var malformed = await app.SendAsync(HttpMethod.Get, $"/api/unions/{other.UnionId}/imports/not-a-job", other.AdminKey);
        using var organiser = await app.SendAsync(HttpMethod.Get, $"/api/unions/{owner.UnionId}/imports/{jobId}", owner.OrganiserKey);
        using var otherList = await app.SendAsync(HttpMethod.Get, $"/api/unions/{other.UnionId}/imports", other.AdminKey);

        own.StatusCode.Should().Be(HttpStatusCode.OK);
        var missingBody = await missing.Content.ReadAsStringAsync();
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        foreach (var refused in new[] { viaOwnerRoute, viaOwnRoute, malformed })
        {
            refused.StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await refused.Content.ReadAsStringAsync()).Should().Be(missingBody);
        }

        organiser.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await ApiTestApp.ReadJsonAsync(otherList)).GetProperty("items").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task Import_AtTheThreshold_StaysSynchronous_AndABadHeaderOverItQueuesNothing()
    {
        var union = await app.NewUnionAsync();
        var (csv, expected) = Members(1999, "s"); // 2000 lines with the header
        var (large, _) = Members(2100, "h");

        using var small = await app.SendAsync(HttpMethod.Post, ImportPath(union), union.AdminKey, ApiTestApp.Csv(csv));
        using var badHeader = await app.SendAsync(HttpMethod.Post, ImportPath(union), union.AdminKey, ApiTestApp.Csv(large.Replace(",timeZone,", ",tz,", StringComparison.Ordinal)));

        small.StatusCode.Should().Be(HttpStatusCode.OK);
        var report = await ApiTestApp.ReadJsonAsync(small);
        report.GetProperty("imported").GetInt32().Should().Be(1999 - expected.Count);
        report.TryGetProperty("jobId", out _).Should().BeFalse();
        badHeader.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ApiTestApp.ReadJsonAsync(badHeader)).GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("header");
        (await app.Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount.Should().Be(0);
    }

    [Fact]
    public async Task ImportJob_BadPageSizeOrToken_Answers400NamingIt()
    {
        var union = await app.NewUnionAsync();
        var (csv, _) = Members(2100, "p");
        using var accepted = await app.SendAsync(HttpMethod.Post, ImportPath(union), union.AdminKey, ApiTestApp.Csv(csv));
        var location = accepted.Headers.Location!.ToString();
        await app.DrainAsync();

        using var size = await app.SendAsync(HttpMethod.Get, location + "?pageSize=0", union.AdminKey);
        using var token = await app.SendAsync(HttpMethod.Get, location + "?continuationToken=made-up", union.AdminKey);

        size.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ApiTestApp.ReadJsonAsync(size)).GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("pageSize");
        token.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ApiTestApp.ReadJsonAsync(token)).GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("continuationToken");
    }

    private static string ImportPath(TestUnion union) => $"{union.Base}/branches/{union.Branch}/contacts:import";

    /// <summary>The job resource (last page) and every error entry of every page, in order.</summary>
    private async Task<(JsonElement Job, List<(int Line, string Field)> Errors)> ReadWholeReportAsync(TestUnion union, string jobId, int pageSize)
    {
        var errors = new List<(int, string)>();
        string? token = null;
        JsonElement job;
        do
        {
            var path = $"/api/unions/{union.UnionId}/imports/{jobId}?pageSize={pageSize}" + (token is null ? string.Empty : "&continuationToken=" + Uri.EscapeDataString(token));
            using var response = await app.SendAsync(HttpMethod.Get, path, union.AdminKey);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            job = await ApiTestApp.ReadJsonAsync(response);
            errors.AddRange(job.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString()!)));
            token = job.GetProperty("continuationToken").GetString();
        }
        while (token is not null);

        return (job, errors);
    }

    private async Task<int> CountContactsAsync(TestUnion union)
    {
        var membership = app.Factory.Services.GetRequiredService<MembershipRepository>();
        var count = 0;
        string? token = null;
        do
        {
            var page = await membership.GetContactsPageAsync(UnionId.Parse(union.UnionId), BranchId.Parse(union.Branch), 1000, token);
            count += page.Contacts.Count;
            token = page.ContinuationToken;
        }
        while (token is not null);

        return count;
    }

    /// <summary>A file of <paramref name="count"/> members, one bad line in 125 (a short phone, a missing consent, a misspelt zone, a repeated id), and the errors expected.</summary>
    private static (string Csv, List<(int Line, string Field)> Expected) Members(int count, string idPrefix)
    {
        var csv = new StringBuilder(Header).Append('\n');
        var expected = new List<(int, string)>();
        for (var i = 0; i < count; i++)
        {
            var line = i + 2; // the header is line 1
            var (phone, consent, zone, id) = ($"+4477009{i:D5}", "true", "Europe/London", $"{idPrefix}{i:D5}");
            switch (i % 500)
            {
                case 101:
                    phone = "+44 12";
                    expected.Add((line, "phone"));
                    break;
                case 202:
                    consent = string.Empty;
                    expected.Add((line, "smsConsent"));
                    break;
                case 303:
                    zone = "Europe/Londn";
                    expected.Add((line, "timeZone"));
                    break;
                case 404:
                    id = $"{idPrefix}{i - 1:D5}"; // the previous line's contactId
                    expected.Add((line, "contactId"));
                    break;
            }

            csv.Append(CultureInfo.InvariantCulture, $"{id},Member {i},{phone},m{i}@example.org,en,{zone},{consent},true\n");
        }

        return (csv.ToString(), expected);
    }
}

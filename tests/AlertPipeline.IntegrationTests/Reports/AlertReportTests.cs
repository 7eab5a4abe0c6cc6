using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;

namespace AlertPipeline.IntegrationTests.Reports;

/// <summary>GET /api/unions/{union}/alerts/{alertId}/report after a real fan-out, sends and Twilio callbacks.</summary>
public sealed class AlertReportTests(ReportsTestApp app) : IClassFixture<ReportsTestApp>
{
    [Fact]
    public async Task Report_AfterFanOutSendsAndFailures_CountsTheCallersRowsByStatusFailureAndSkip()
    {
        var world = await SentAlertAsync();
        var asked = DateTimeOffset.UtcNow;

        using var response = await app.SendAsync(HttpMethod.Get, $"{world.A.Base}/alerts/{world.AlertId}/report", world.A.OrganiserKey);

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var json = await ReportsTestApp.ReadJsonAsync(response);
        json.GetProperty("rows").GetInt32().Should().Be(8, "union A's 4 contacts on 2 channels; union B's rows are not counted");
        json.GetProperty("partial").GetBoolean().Should().BeFalse("a small alert is counted within the budget: exact");
        json.GetProperty("asOf").GetDateTimeOffset().Should().BeOnOrAfter(asked, "counted when asked, after every change above").And.BeOnOrBefore(DateTimeOffset.UtcNow);
        var channels = json.GetProperty("channels").EnumerateArray().ToDictionary(c => c.GetProperty("channel").GetString()!);
        var sms = channels["sms"];
        sms.GetProperty("total").GetInt32().Should().Be(4);
        Counts(sms.GetProperty("byStatus")).Should().BeEquivalentTo(new Dictionary<string, int>
        {
            ["delivered"] = 1, ["undelivered"] = 1, ["failed"] = 1, ["skipped"] = 1,
        });
        sms.GetProperty("failures").EnumerateArray()
            .Select(f => (f.GetProperty("status").GetString(), f.GetProperty("reason").GetString(), f.GetProperty("errorCode").GetString(), f.GetProperty("count").GetInt32()))
            .Should().BeEquivalentTo([("undelivered", "unreachable", "30003", 1), ("failed", "landline", "30006", 1)]);
        Counts(sms.GetProperty("skipped")).Should().BeEquivalentTo(new Dictionary<string, int> { ["noConsent"] = 1 });
        sms.GetProperty("segments").GetInt64().Should().Be(3);
        var email = channels["email"];
        Counts(email.GetProperty("byStatus")).Should().BeEquivalentTo(new Dictionary<string, int> { ["sent"] = 2, ["skipped"] = 2 });
        Counts(email.GetProperty("skipped")).Should().BeEquivalentTo(new Dictionary<string, int> { ["noAddress"] = 2 });

        using var other = await app.SendAsync(HttpMethod.Get, $"{world.B.Base}/alerts/{world.AlertId}/report", world.B.OrganiserKey);
        var otherJson = await ReportsTestApp.ReadJsonAsync(other);
        otherJson.GetProperty("rows").GetInt32().Should().Be(4, "union B sees only its own 2 contacts' rows");
        otherJson.GetRawText().Should().NotContain("30006");
    }

    [Theory]
    [InlineData("?format=csv", null)]
    [InlineData("", "text/csv")]
    public async Task ReportCsv_ListsOnlyTheCallersRowsWithTheDocumentedColumnsAndNoAddress(string query, string? accept)
    {
        var world = await SentAlertAsync();

        using var response = await app.SendAsync(HttpMethod.Get, $"{world.A.Base}/alerts/{world.AlertId}/report{query}", world.A.OrganiserKey, accept: accept);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        var text = await response.Content.ReadAsStringAsync();
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("channel,unionId,branchId,contactId,status,reason,errorCode,segments,notBefore,sentAt,updatedAt");
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        rows.Should().HaveCount(8).And.OnlyContain(r => r.Length == 11 && r[1] == world.A.UnionId.Value && r[2] == "central");
        rows.Select(r => (r[0], r[3])).Should().OnlyHaveUniqueItems();
        rows.Should().ContainSingle(r => r[0] == "sms" && r[3] == "r4").Which[4..7].Should().Equal("Failed", "Landline", "30006");
        rows.Should().ContainSingle(r => r[0] == "sms" && r[3] == "r2").Which[4..7].Should().Equal("Undelivered", "Unreachable", "30003");
        rows.Should().ContainSingle(r => r[0] == "sms" && r[3] == "r3").Which[4..6].Should().Equal("Skipped", "NoConsent");
        rows.Single(r => r[0] == "sms" && r[3] == "r1")[7].Should().Be("1");
        rows.Single(r => r[0] == "sms" && r[3] == "r1")[9].Should().MatchRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$");
        rows.Single(r => r[0] == "sms" && r[3] == "r1")[8].Should().BeEmpty("sent at once: not deferred by quiet hours");
        text.Should().NotContain("@").And.NotContain("+44").And.NotContain("7700900").And.NotContain(world.B.UnionId.Value).And.NotContain("s1");
    }

    [Fact]
    public async Task Report_AnotherUnionsKeyUnknownMalformedOrUnsubscribedAlert_AnswersTheSame404()
    {
        var world = await SentAlertAsync();
        var outsider = await app.NewUnionAsync("main");
        var unknown = AlertId.Parse(new string('a', 32));

        using var missingUnion = await app.SendAsync(HttpMethod.Get, $"/api/unions/no-such-union/alerts/{world.AlertId}/report", outsider.OrganiserKey);
        using var otherUnion = await app.SendAsync(HttpMethod.Get, $"{world.A.Base}/alerts/{world.AlertId}/report?format=csv", outsider.OrganiserKey);
        using var notSubscribed = await app.SendAsync(HttpMethod.Get, $"{outsider.Base}/alerts/{world.AlertId}/report", outsider.OrganiserKey);
        using var unknownAlert = await app.SendAsync(HttpMethod.Get, $"{world.A.Base}/alerts/{unknown}/report", world.A.OrganiserKey);
        using var malformed = await app.SendAsync(HttpMethod.Get, $"{world.A.Base}/alerts/not-an-alert/report", world.A.OrganiserKey);
        using var adminKey = await app.SendAsync(HttpMethod.Get, $"{world.A.Base}/alerts/{world.AlertId}/report", world.A.AdminKey);

        missingUnion.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var expected = await missingUnion.Content.ReadAsByteArrayAsync();
        foreach (var response in new[] { otherUnion, notSubscribed, unknownAlert, malformed })
        {
            response.StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await response.Content.ReadAsByteArrayAsync()).Should().Equal(expected);
        }

        adminKey.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Report_UnknownFormat_Answers400()
    {
        var world = await SentAlertAsync();

        using var response = await app.SendAsync(HttpMethod.Get, $"{world.A.Base}/alerts/{world.AlertId}/report?format=xlsx", world.A.OrganiserKey);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("format");
    }

    [Fact]
    public async Task Report_CountLongerThanTheBudget_AnswersTheRowsCountedSoFarMarkedPartial_ThenTheFinishedCount_EachUnionItsOwn()
    {
        var world = await SentAlertAsync();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (connectionString, prefix) = app.Storage;
        // Budget 0: an ask never waits for its count. Union A's count reads 3 rows, then waits for the test (a "large" alert).
        await using var budgeted = TestFunctionApps.Create(
            connectionString,
            prefix,
            new Dictionary<string, string> { ["Reports:ExactBudget"] = "00:00:00", ["Reports:RescanInterval"] = "00:10:00" },
            services =>
            {
                services.RemoveAll<AlertReportReader>();
                services.AddSingleton(sp =>
                {
                    var real = sp.GetRequiredService<IDeliveryStore>();
                    var rows = new Mock<IDeliveryStore>(MockBehavior.Strict);
                    rows.Setup(s => s.GetReportedRowsAsync(It.IsAny<AlertId>(), It.IsAny<UnionId>(), It.IsAny<CancellationToken>()))
                        .Returns((AlertId alert, UnionId union, CancellationToken ct) => union == world.A.UnionId
                            ? HoldAfter(3, real.GetReportedRowsAsync(alert, union, ct), reached, gate.Task, ct)
                            : real.GetReportedRowsAsync(alert, union, ct));
                    return new AlertReportReader(rows.Object, sp.GetRequiredService<ReportOptions>(), TimeProvider.System);
                });
            });
        using var client = budgeted.CreateClient();
        Task<System.Text.Json.JsonElement> ReportAsync(ReportsUnion union) => GetJsonAsync(client, $"{union.Base}/alerts/{world.AlertId}/report", union.OrganiserKey);

        var first = await ReportAsync(world.A);
        await reached.Task;
        var meanwhile = await ReportAsync(world.A);
        var otherUnion = await Poll.ForAsync(() => ReportAsync(world.B), j => !j.GetProperty("partial").GetBoolean(), "union B's own count to finish");

        first.GetProperty("partial").GetBoolean().Should().BeTrue("the count has not finished: no exact figure yet");
        first.GetProperty("rows").GetInt32().Should().BeLessThanOrEqualTo(3);
        meanwhile.GetProperty("partial").GetBoolean().Should().BeTrue();
        meanwhile.GetProperty("rows").GetInt32().Should().Be(3, "the rows counted so far");
        meanwhile.GetProperty("asOf").GetDateTimeOffset().Should().Be(first.GetProperty("asOf").GetDateTimeOffset(), "the same count, joined");
        otherUnion.GetProperty("rows").GetInt32().Should().Be(4, "union B sees only its own rows, whatever A's count is doing");
        otherUnion.GetRawText().Should().NotContain("30006");

        gate.SetResult();
        var finished = await Poll.ForAsync(() => ReportAsync(world.A), j => !j.GetProperty("partial").GetBoolean(), "union A's count to finish");
        finished.GetProperty("rows").GetInt32().Should().Be(8);
        finished.GetProperty("asOf").GetDateTimeOffset().Should().Be(first.GetProperty("asOf").GetDateTimeOffset());
        Counts(finished.GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == "sms").GetProperty("byStatus"))
            .Should().BeEquivalentTo(new Dictionary<string, int> { ["delivered"] = 1, ["undelivered"] = 1, ["failed"] = 1, ["skipped"] = 1 });

        // Counted longer than the budget, so within the rescan interval the same count answers (nothing read again).
        var again = await ReportAsync(world.A);
        again.GetProperty("asOf").GetDateTimeOffset().Should().Be(first.GetProperty("asOf").GetDateTimeOffset());
        again.GetProperty("partial").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task Report_KeyRevokedThroughTheSameWorker_IsRefusedAtOnceThoughItWasReadJustBefore()
    {
        var world = await SentAlertAsync();
        var (connectionString, prefix) = app.Storage;
        // A lifetime no test step outlasts, so only the eviction can make the revocation visible here.
        await using var worker = TestFunctionApps.Create(connectionString, prefix, new Dictionary<string, string> { ["Api:LookupCacheSeconds"] = "300" });
        using var client = worker.CreateClient();
        var report = $"{world.A.Base}/alerts/{world.AlertId}/report";
        (await SendAsync(client, HttpMethod.Get, report, world.A.OrganiserKey)).Should().Be(HttpStatusCode.OK, "the key's row is now kept by this worker");

        (await SendAsync(client, HttpMethod.Delete, $"{world.A.Base}/keys/{ApiKeyService.Hash(world.A.OrganiserKey)[..16]}", world.A.AdminKey))
            .Should().Be(HttpStatusCode.NoContent);

        (await SendAsync(client, HttpMethod.Get, report, world.A.OrganiserKey)).Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Report_KeyRowReadRecently_IsAnsweredFromTheCache_WhileAnotherWorkerAndWritesReadTheKeyAfresh()
    {
        var world = await SentAlertAsync();
        var (connectionString, prefix) = app.Storage;
        var settings = new Dictionary<string, string> { ["Api:LookupCacheSeconds"] = "300" };
        await using var worker = TestFunctionApps.Create(connectionString, prefix, settings);
        await using var otherWorker = TestFunctionApps.Create(connectionString, prefix, settings);
        using var client = worker.CreateClient();
        using var otherClient = otherWorker.CreateClient();
        var report = $"{world.A.Base}/alerts/{world.AlertId}/report";
        (await GetJsonAsync(client, report, world.A.OrganiserKey)).GetProperty("rows").GetInt32().Should().Be(8);

        // Revoked through the other worker: the first one is not told, as with a revocation on another instance or the CLI.
        (await otherWorker.Services.GetRequiredService<ApiKeyService>().RevokeAsync(world.A.UnionId, ApiKeyService.Hash(world.A.OrganiserKey)[..16])).Should().BeTrue();

        var cached = await GetJsonAsync(client, report, world.A.OrganiserKey);
        cached.GetProperty("rows").GetInt32().Should().Be(8, "the key, role and alert this worker read a moment ago answer; the counts are read as ever");
        (await SendAsync(otherClient, HttpMethod.Get, report, world.A.OrganiserKey)).Should().Be(HttpStatusCode.Unauthorized, "the other worker read the key's row afresh");
        (await SendAsync(client, HttpMethod.Post, $"{world.A.Base}/alerts/{world.AlertId}/fanout/redrive", world.A.OrganiserKey))
            .Should().Be(HttpStatusCode.Unauthorized, "a write reads the key afresh on every worker");
        (await SendAsync(client, HttpMethod.Get, $"{world.B.Base}/alerts/{world.AlertId}/report", world.A.OrganiserKey))
            .Should().Be(HttpStatusCode.NotFound, "a kept key still belongs to its own union only");
    }

    [Fact]
    public async Task Report_SubscriptionRemovedThroughTheSameWorker_AnswersTheSame404AtOnceThoughTheRoleWasReadJustBefore()
    {
        var world = await SentAlertAsync();
        var (connectionString, prefix) = app.Storage;
        await using var worker = TestFunctionApps.Create(connectionString, prefix, new Dictionary<string, string> { ["Api:LookupCacheSeconds"] = "300" });
        using var client = worker.CreateClient();
        var report = $"{world.B.Base}/alerts/{world.AlertId}/report";
        var campaignId = (await GetJsonAsync(client, report, world.B.OrganiserKey)).GetProperty("campaignId").GetString();

        (await SendAsync(client, HttpMethod.Delete, $"{world.B.Base}/subscriptions/{campaignId}", world.B.AdminKey)).Should().Be(HttpStatusCode.NoContent);

        (await SendAsync(client, HttpMethod.Get, report, world.B.OrganiserKey)).Should().Be(HttpStatusCode.NotFound, "union B no longer subscribes");
        (await SendAsync(client, HttpMethod.Get, $"{world.A.Base}/alerts/{world.AlertId}/report", world.A.OrganiserKey)).Should().Be(HttpStatusCode.OK, "the owner's role is unchanged");
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, HttpMethod method, string path, string key)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static Dictionary<string, int> Counts(System.Text.Json.JsonElement counts) =>
        counts.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());

    /// <summary>
    /// Unions A (r1–r4) and B (s1, s2) subscribe to a campaign; the alert is fanned out and sent; then Twilio reports r1
    /// delivered, r2 undelivered (30003), r4 failed (30006) and B's s1 failed (30007). r3 gave no SMS consent; r2 and r4
    /// have no email.
    /// </summary>
    private async Task<ReportWorld> SentAlertAsync()
    {
        var a = await app.NewUnionAsync("central");
        var b = await app.NewUnionAsync("main");
        var campaignId = await app.NewCampaignAsync(owner: a.UnionId);
        await app.SubscribeAsync(campaignId, a.UnionId);
        await app.SubscribeAsync(campaignId, b.UnionId);
        var r1 = await app.AddContactAsync(a.UnionId, "central", "r1", "+447700900011", "r1@example.org");
        var r2 = await app.AddContactAsync(a.UnionId, "central", "r2", "+447700900012", null);
        await app.AddContactAsync(a.UnionId, "central", "r3", "+447700900013", "r3@example.org", smsConsent: false);
        var r4 = await app.AddContactAsync(a.UnionId, "central", "r4", "+447700900014", null);
        var s1 = await app.AddContactAsync(b.UnionId, "main", "s1", "+447700900021", "s1@example.org");
        await app.AddContactAsync(b.UnionId, "main", "s2", "+447700900022", null);

        var alertId = await app.FanOutAsync(ReportsTestApp.EventJson("report-" + Guid.NewGuid().ToString("N")[..8], campaignId));
        await app.SendAllAsync(alertId);
        await app.CallbackAsync(SmsKey(alertId, r1), "delivered");
        await app.CallbackAsync(SmsKey(alertId, r2), "undelivered", "30003");
        await app.CallbackAsync(SmsKey(alertId, r4), "failed", "30006");
        await app.CallbackAsync(SmsKey(alertId, s1), "failed", "30007");
        return new ReportWorld(alertId, a, b);
    }

    private static async Task<System.Text.Json.JsonElement> GetJsonAsync(HttpClient client, string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        using var response = await client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await ReportsTestApp.ReadJsonAsync(response);
    }

    /// <summary>The first <paramref name="count"/> rows of <paramref name="rows"/>; then signals <paramref name="reached"/> and waits for <paramref name="gate"/> before the rest.</summary>
    private static async IAsyncEnumerable<ReportedRow> HoldAfter(
        int count, IAsyncEnumerable<ReportedRow> rows, TaskCompletionSource reached, Task gate, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var given = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            if (given++ == count)
            {
                reached.TrySetResult();
                await gate.WaitAsync(cancellationToken);
            }

            yield return row;
        }
    }

    private DeliveryKey SmsKey(AlertId alertId, Contact contact) => new(alertId, Channel.Sms, app.Hasher.HashFor(contact, Channel.Sms)!);

    private sealed record ReportWorld(AlertId AlertId, ReportsUnion A, ReportsUnion B);
}

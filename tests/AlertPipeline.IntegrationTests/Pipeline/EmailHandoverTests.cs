using System.Globalization;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Email;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Testing;
using AlertPipeline.Testing.Faults;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace AlertPipeline.IntegrationTests.Pipeline;

/// <summary>
/// "Never the same alert twice" for email (docs/reliability.md): the real <see cref="SendEmailHandler"/> on Azurite, the
/// real <see cref="SmtpEmailSender"/> and the aiosmtpd sink behind <see cref="SmtpFaultProxy"/>. A reply lost after the
/// data, or a sender that stopped after marking the handover, gives one email and a Sent-unconfirmed row, never a resend.
/// </summary>
public sealed class EmailHandoverTests : IAsyncLifetime
{
    private readonly string _prefix = AzuriteFixture.UniqueName("eho");
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private SmtpSink _sink = null!;
    private SmtpFaultProxy _proxy = null!;
    private TestAppServer _app = null!;
    private string _connectionString = null!;
    private CampaignId _campaign = null!;
    private UnionId _union = null!;
    private BranchId _branch = null!;

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        _connectionString = azurite.ConnectionString;
        _sink = await SmtpSink.StartAsync();
        _proxy = SmtpFaultProxy.Start(_sink.Port);
        var settings = _sink.ConfigurationValues().ToDictionary(p => p.Key, p => p.Value ?? string.Empty);
        settings["Smtp:Port"] = _proxy.Port.ToString(CultureInfo.InvariantCulture);
        settings["Smtp:Timeout"] = "00:00:10";
        _app = TestFunctionApps.Create(_connectionString, _prefix, settings, services => services.AddSingleton<TimeProvider>(_time));
        var union = await TestFunctionApps.NewUnionAsync(_app, "central");
        _union = UnionId.Parse(union.UnionId);
        _branch = BranchId.Parse(union.Branch);
        _campaign = await TestFunctionApps.NewOwnedCampaignAsync(_app, _union);
    }

    public async Task DisposeAsync()
    {
        await TestFunctionApps.DeleteTablesAsync(_app, _connectionString, _prefix);
        await _app.DisposeAsync();
        await _proxy.DisposeAsync();
        await _sink.DisposeAsync();
    }

    private T Service<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    [Fact]
    public async Task Send_ReplyLostAfterTheData_OneEmailRowSentUnconfirmedAndNoResend()
    {
        var keys = await FanOutAsync("hearing-reply-lost", "aigul");
        _proxy.Schedule = () => SmtpFault.DropAfterData;

        var result = await Service<SendEmailHandler>().HandleAsync(keys[0], default);
        _proxy.Schedule = () => SmtpFault.None;
        var again = await Service<SendEmailHandler>().HandleAsync(keys[0], default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        var row = await RowAsync(keys[0]);
        row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Address == null);
        row.Unconfirmed.Should().Be(UnconfirmedReasons.SmtpReplyLost);
        again.Outcome.Should().Be(SendOutcome.AlreadyDone, "a redelivered dispatch finds the row settled");
        (await _sink.WaitForMessagesAsync(1)).Should().ContainSingle().Which.Header(SmtpEmailSender.DeliveryHeader).Should().Be(keys[0].Value);
        _proxy.Counts.Values.Sum().Should().Be(1, "one SMTP connection: the lost reply was not followed by a resend");
    }

    [Fact]
    public async Task StaleClaims_MarkedHandedOverIsRecordedUnconfirmed_UnmarkedIsResent()
    {
        var keys = await FanOutAsync("hearing-stale", "aigul", "bota");
        var store = Service<IDeliveryStore>();
        var now = _time.GetUtcNow();
        for (var i = 0; i < keys.Count; i++)
        {
            // A batch claimed both rows; the sender was killed after marking the first one's handover.
            var stored = (await store.GetAsync(keys[i]))!;
            var claimed = stored.Record with
            {
                Status = DeliveryStatus.Sending, Attempt = 1, ClaimedAt = Instant.FromDateTimeOffset(now), FirstClaimedAt = Instant.FromDateTimeOffset(now),
                HandedOverAt = i == 0 ? Instant.FromDateTimeOffset(now) : null,
            };
            (await store.TryUpdateAsync(claimed, stored.ETag)).Should().NotBeNull();
        }

        _time.Advance(TimeSpan.FromMinutes(3));
        var sent = await Service<SendEmailHandler>().SendBatchAsync(keys, default);

        sent.Rows.Select(r => r.Outcome).Should().Equal(SendOutcome.Reconciled, SendOutcome.Sent);
        (await RowAsync(keys[0])).Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Unconfirmed == UnconfirmedReasons.SmtpSenderStopped);
        (await RowAsync(keys[1])).Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Unconfirmed == null && r.Attempt == 2);
        (await _sink.WaitForMessagesAsync(1)).Should().ContainSingle().Which.Header(SmtpEmailSender.DeliveryHeader).Should().Be(keys[1].Value);
        _proxy.Counts.Values.Sum().Should().Be(1, "only the unmarked claim is sent again");
    }

    private async Task<IReadOnlyList<DeliveryKey>> FanOutAsync(string eventId, params string[] people)
    {
        foreach (var person in people)
        {
            await TestFunctionApps.AddContactAsync(_app, _union, _branch, person, person, email: $"{person}@example.org");
        }

        var accepted = await Service<FanOutHandler>().HandleAsync(HearingEvent.Json(eventId, _campaign.Value, "\"email\""), null, default);
        accepted.Outcome.Should().Be(FanOutOutcome.Accepted, string.Join("; ", accepted.Errors));
        foreach (var chunk in accepted.Chunks)
        {
            for (FanOutChunk? next = chunk; next is not null;)
            {
                next = (await Service<FanOutChunkHandler>().HandleAsync(next, default)).Next;
            }
        }

        var rows = (await Service<IDeliveryStore>().GetPageAsync(accepted.AlertId!, 10, null)).Rows;
        rows.Should().HaveCount(people.Length);
        return [.. rows.Select(r => r.Key)];
    }

    private async Task<DeliveryRecord> RowAsync(DeliveryKey key) => (await Service<IDeliveryStore>().GetAsync(key))!.Record;
}

using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.IntegrationTests.Api;
using AlertPipeline.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.IntegrationTests.Pipeline;

/// <summary>
/// Reconciliation after a lost Twilio answer when two alerts render the same text for the same member (docs/reliability.md):
/// the real app's handlers on Azurite, the real Twilio SDK against <see cref="FakeTwilioServer"/>. The second alert's row
/// must end with its own message, never the first alert's SID.
/// </summary>
public sealed class SmsReconciliationTests : IAsyncLifetime
{
    private const string Phone = "+447700900461";
    private readonly string _prefix = AzuriteFixture.UniqueName("rec");
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private FakeTwilioServer _twilio = null!;
    private TestAppServer _app = null!;
    private string _connectionString = null!;
    private CampaignId _campaign = null!;

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        _connectionString = azurite.ConnectionString;
        _twilio = await FakeTwilioServer.StartAsync();
        var settings = TestFunctionApps.TwilioFakeSettings(_twilio);
        _app = TestFunctionApps.Create(_connectionString, _prefix, settings, services => services.AddSingleton<TimeProvider>(_time));
        var union = await TestFunctionApps.NewUnionAsync(_app, "central");
        var unionId = UnionId.Parse(union.UnionId);
        _campaign = await TestFunctionApps.NewOwnedCampaignAsync(_app, unionId);
        await TestFunctionApps.AddContactAsync(_app, unionId, BranchId.Parse(union.Branch), "aigul", "Aigul", phone: Phone);
    }

    public async Task DisposeAsync()
    {
        await TestFunctionApps.DeleteTablesAsync(_app, _connectionString, _prefix);
        await _app.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    private T Service<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    [Fact]
    public async Task Reconcile_AnswerLostAndTheOtherAlertSentTheSameTextLater_TakesItsOwnMessage()
    {
        var first = await FanOutAsync("hearing-first");
        var second = await FanOutAsync("hearing-second");

        // The second alert's send is taken by Twilio but its answer never comes; then the first alert's goes through.
        _twilio.FailNext(1, TwilioFault.AcceptThenHang);
        await FluentActions.Awaiting(() => Service<SendSmsHandler>().HandleAsync(second, default)).Should().ThrowAsync<PipelineRetryException>();
        (await Service<SendSmsHandler>().HandleAsync(first, default)).Outcome.Should().Be(SendOutcome.Sent);
        _twilio.SentMessages.Should().HaveCount(2).And.OnlyContain(m => m.To == Phone);
        _twilio.SentMessages.Select(m => m.Body).Distinct().Should().ContainSingle("both alerts render the same text for her");

        _time.Advance(TimeSpan.FromMinutes(3)); // the claim is stale: the retry reconciles before any resend
        var reconciled = await Service<SendSmsHandler>().HandleAsync(second, default);

        reconciled.Outcome.Should().Be(SendOutcome.Reconciled);
        _twilio.SentMessages.Should().HaveCount(2, "nothing was sent again");
        (await RowAsync(second)).ProviderId.Should().Be(MessageFor(second).Sid, "the row records the message Twilio took for it");
        (await RowAsync(first)).ProviderId.Should().Be(MessageFor(first).Sid);
    }

    [Fact]
    public async Task Reconcile_SendNeverReachedTwilioAndTheOtherAlertSentTheSameText_DoesNotTakeItButSendsItsOwn()
    {
        var first = await FanOutAsync("hearing-first");
        var second = await FanOutAsync("hearing-second");

        // The second alert's send hangs without reaching Twilio; the first alert's message, same text, goes after its claim.
        _twilio.FailNext(1, TwilioFault.Hang);
        await FluentActions.Awaiting(() => Service<SendSmsHandler>().HandleAsync(second, default)).Should().ThrowAsync<PipelineRetryException>();
        (await Service<SendSmsHandler>().HandleAsync(first, default)).Outcome.Should().Be(SendOutcome.Sent);
        _twilio.SentMessages.Should().ContainSingle();

        _time.Advance(TimeSpan.FromMinutes(3));
        var retried = await Service<SendSmsHandler>().HandleAsync(second, default);

        retried.Outcome.Should().Be(SendOutcome.Sent, "the only message with her text belongs to the first alert");
        _twilio.SentMessages.Should().HaveCount(2);
        (await RowAsync(second)).ProviderId.Should().Be(MessageFor(second).Sid).And.NotBe(MessageFor(first).Sid);
        (await RowAsync(first)).ProviderId.Should().Be(MessageFor(first).Sid);
    }

    private async Task<DeliveryKey> FanOutAsync(string eventId)
    {
        var accepted = await TestFunctionApps.FanOutFullyAsync(_app, HearingEvent.Json(eventId, _campaign.Value, "\"sms\""));
        return (await Service<IDeliveryStore>().GetPageAsync(accepted.AlertId!, 10, null)).Rows.Single().Key;
    }

    private async Task<DeliveryRecord> RowAsync(DeliveryKey key) => (await Service<IDeliveryStore>().GetAsync(key))!.Record;

    private FakeTwilioMessage MessageFor(DeliveryKey key) =>
        _twilio.SentMessages.Single(m => m.StatusCallback!.EndsWith("ref=" + Uri.EscapeDataString(key.Value), StringComparison.Ordinal));
}

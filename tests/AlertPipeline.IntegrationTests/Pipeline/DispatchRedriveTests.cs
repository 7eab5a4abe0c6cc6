using System.Net;
using System.Text.Json;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Infrastructure.Storage;
using AlertPipeline.IntegrationTests.Api;
using AlertPipeline.Testing;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.IntegrationTests.Pipeline;

/// <summary>
/// Poisoned dispatch messages are re-driven and visible (docs/reliability.md), on Azurite with the real Twilio SDK against
/// <see cref="FakeTwilioServer"/>: a poisoned SMS batch with one row left Sending (its message already at Twilio, the
/// answer lost) and one Pending goes back on its queue; run again, the Pending member gets exactly one SMS and the Sending
/// row is reconciled, not re-sent. One past its budget stays poisoned, the report says dispatch is incomplete, and the
/// organiser's re-drive gives it a fresh budget. Each test has its own dispatch queue.
/// </summary>
public sealed class DispatchRedriveTests : IAsyncLifetime
{
    private static readonly string[] Phones = ["+447700900481", "+447700900482"];
    private readonly string _queue = AzuriteFixture.UniqueName("smsd");
    private TwoSmsMembersApp _world = null!;

    public async Task InitializeAsync() => _world = await TwoSmsMembersApp.StartAsync("drd", Phones, "Pipeline:DispatchRedriveBudget");

    public async Task DisposeAsync()
    {
        await Queue(_queue).DeleteIfExistsAsync();
        await Queue(QueueNames.PoisonOf(_queue)).DeleteIfExistsAsync();
        await _world.DisposeAsync();
    }

    private T Service<T>()
        where T : notnull => _world.Service<T>();

    private QueueClient Queue(string name) => _world.App.Services.QueueService(StorageServiceCollectionExtensions.DefaultConnectionName).GetQueueClient(name);

    private DispatchBatchRedriver Redriver(TimeSpan? lookAgainAfter = null) => new(
        _world.App.Services.QueueService(StorageServiceCollectionExtensions.DefaultConnectionName), Service<PipelineTables>(), Service<PipelineOptions>(), _world.Time,
        Channel.Sms, _queue, lookAgainAfter);

    [Fact]
    public async Task PoisonedBatch_RowSendingAndRowPending_IsRedriven_PendingGetsOneSms_SendingIsReconciledNotResent()
    {
        var (alertId, keys) = await FanOutAsync("hearing-redrive");
        // The first member's send reaches Twilio but its answer is lost: her row stays Sending with the message at Twilio.
        var sending = keys[0];
        _world.Twilio.FailNext(1, TwilioFault.AcceptThenHang);
        await FluentActions.Awaiting(() => Service<SendSmsHandler>().HandleAsync(sending, default)).Should().ThrowAsync<PipelineRetryException>();
        (await RowAsync(sending)).Status.Should().Be(DeliveryStatus.Sending);
        _world.Twilio.SentMessages.Should().ContainSingle();
        _world.Time.Advance(TimeSpan.FromMinutes(3)); // the claim is stale by the time the batch runs again
        var batches = await PoisonAsync(keys, DeadLetterReasons.TooManyDeliveries);

        var result = await Redriver().RedriveAsync(default);

        result.Should().Be(new PoisonRedriveResult(batches.Count, 0, 0));
        (await Queue(QueueNames.PoisonOf(_queue)).PeekMessagesAsync(32)).Value.Should().BeEmpty("the batches left the poison queue");
        var redriven = (await Queue(_queue).ReceiveMessagesAsync(32)).Value;
        redriven.Should().HaveCount(batches.Count);
        foreach (var message in redriven)
        {
            JsonSerializer.Deserialize<DispatchBatchMessage>(message.Body.ToString(), JsonSerializerOptions.Web)!.TryParse(out var batch, out var error).Should().BeTrue(error);
            batches.Should().Contain(batch!, "the batch goes back as it was received");
            (await Service<DispatchBatchHandler>().HandleAsync(batch!, 1, default)).Settlement.Should().BeOfType<DispatchSettlement.Complete>();
        }

        _world.Twilio.SentMessages.Should().HaveCount(2, "the Sending row was reconciled, only the Pending member was sent to");
        // One SMS per member (compared without printing a number on failure).
        Phones.Select(p => _world.Twilio.SentMessages.Count(m => m.To == p)).Should().Equal(1, 1);
        foreach (var key in keys)
        {
            var row = await RowAsync(key);
            row.Status.Should().Be(DeliveryStatus.Sent);
            row.ProviderId.Should().Be(MessageFor(key).Sid, "each row records the one message Twilio has for it");
        }

        var progress = await Service<DispatchRedrivers>().GetProgressAsync(alertId, UnionId.Parse(_world.Union.UnionId), default);
        progress.Should().Be(new PoisonRedriveProgress(batches.Count, 0));
        progress.Incomplete.Should().BeFalse();
    }

    [Fact]
    public async Task BatchPastItsBudget_StaysPoisoned_ReportSaysIncomplete_OrganiserRedriveGivesAFreshBudget()
    {
        var (alertId, keys) = await FanOutAsync("hearing-budget");
        var batches = await PoisonAsync(keys, reason: null); // the host's own poisoning: the bare message, no reason
        var redriver = Redriver(lookAgainAfter: TimeSpan.FromSeconds(1));
        (await redriver.RedriveAsync(default)).Redriven.Should().Be(batches.Count, "the budget (1) allows one re-drive each");
        // Killed again on every dequeue: the host poisons them a second time.
        foreach (var again in (await Queue(_queue).ReceiveMessagesAsync(32)).Value)
        {
            await Queue(QueueNames.PoisonOf(_queue)).SendMessageAsync(again.Body.ToString());
            await Queue(_queue).DeleteMessageAsync(again.MessageId, again.PopReceipt);
        }

        (await redriver.RedriveAsync(default)).Should().Be(new PoisonRedriveResult(0, batches.Count, 0));

        (await Queue(QueueNames.PoisonOf(_queue)).GetPropertiesAsync()).Value.ApproximateMessagesCount.Should().Be(batches.Count, "a batch past its budget stays poisoned");
        var report = await GetJsonAsync($"/api/unions/{_world.Union.UnionId}/alerts/{alertId.Value}/report");
        report.GetProperty("dispatch").GetProperty("incomplete").GetBoolean().Should().BeTrue();
        report.GetProperty("dispatch").GetProperty("batchesPoisoned").GetInt32().Should().Be(batches.Count);
        report.GetProperty("fanOut").GetProperty("incomplete").GetBoolean().Should().BeFalse("the fan-out itself finished");

        using var redrive = await SendAsync(HttpMethod.Post, $"/api/unions/{_world.Union.UnionId}/alerts/{alertId.Value}/fanout/redrive");
        redrive.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var answer = JsonDocument.Parse(await redrive.Content.ReadAsStringAsync()).RootElement;
        answer.GetProperty("batchesToRedrive").GetInt32().Should().Be(batches.Count);
        answer.GetProperty("chunksToRedrive").GetInt32().Should().Be(0);
        var back = 0;
        await Poll.UntilAsync(async () => (back += (await redriver.RedriveAsync(default)).Redriven) == batches.Count, "the reset batches to be re-driven once visible again", TimeSpan.FromSeconds(15));
        (await Queue(_queue).PeekMessagesAsync(32)).Value.Should().HaveCount(batches.Count);
        (await GetJsonAsync($"/api/unions/{_world.Union.UnionId}/alerts/{alertId.Value}/report")).GetProperty("dispatch").GetProperty("incomplete").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task MalformedPoisonEntry_IsNeverRedriven_AndCountsNothing()
    {
        var poison = Queue(QueueNames.PoisonOf(_queue));
        await poison.CreateIfNotExistsAsync();
        var entry = new DispatchPoisonEntry(DeadLetterReasons.MalformedMessage, "dispatch message: recipients[0] must be a recipient hash", null, DateTimeOffset.UtcNow, "{\"alertId\":\"x\"}");
        await poison.SendMessageAsync(JsonSerializer.Serialize(entry, JsonSerializerOptions.Web));
        await poison.SendMessageAsync("not json at all");

        (await Redriver().RedriveAsync(default)).Should().Be(new PoisonRedriveResult(0, 0, 2));

        (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount.Should().Be(2, "bad input stays poisoned, for people to look at");
        (await Queue(_queue).ExistsAsync()).Value.Should().BeFalse("nothing was put back");
    }

    /// <summary>Fans the alert out to both members (rows Pending) and returns their row keys.</summary>
    private async Task<(AlertId AlertId, IReadOnlyList<DeliveryKey> Keys)> FanOutAsync(string eventId)
    {
        var accepted = await TestFunctionApps.FanOutFullyAsync(_world.App, HearingEvent.Json(eventId, _world.Campaign.Value, "\"sms\""));
        var rows = (await Service<IDeliveryStore>().GetPageAsync(accepted.AlertId!, 10, null)).Rows;
        rows.Should().HaveCount(2).And.OnlyContain(r => r.Status == DeliveryStatus.Pending);
        return (accepted.AlertId!, rows.Select(r => r.Key).ToList());
    }

    /// <summary>Puts the rows' batches on the test's poison queue: as the consumer does (an entry with its reason) or as the host does (the bare message).</summary>
    private async Task<IReadOnlyList<DispatchBatch>> PoisonAsync(IReadOnlyList<DeliveryKey> keys, string? reason)
    {
        var batches = DispatchBatch.Split(keys, 50);
        var poison = Queue(QueueNames.PoisonOf(_queue));
        await poison.CreateIfNotExistsAsync();
        foreach (var batch in batches)
        {
            var body = JsonSerializer.Serialize(batch.ToMessage(), JsonSerializerOptions.Web);
            var text = reason is null
                ? body
                : JsonSerializer.Serialize(new DispatchPoisonEntry(reason, $"Dispatch {batch.DispatchId} was delivered 5 times", batch.DispatchId, _world.Time.GetUtcNow(), body), JsonSerializerOptions.Web);
            await poison.SendMessageAsync(text);
        }

        return batches;
    }

    private async Task<DeliveryRecord> RowAsync(DeliveryKey key) => (await Service<IDeliveryStore>().GetAsync(key))!.Record;

    private FakeTwilioMessage MessageFor(DeliveryKey key) =>
        _world.Twilio.SentMessages.Single(m => m.StatusCallback!.EndsWith("ref=" + Uri.EscapeDataString(key.Value), StringComparison.Ordinal));

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path) => TestFunctionApps.SendWithKeyAsync(_world.Client, _world.Union.OrganiserKey, method, path);

    private Task<JsonElement> GetJsonAsync(string path) => TestFunctionApps.GetJsonWithKeyAsync(_world.Client, _world.Union.OrganiserKey, path);
}

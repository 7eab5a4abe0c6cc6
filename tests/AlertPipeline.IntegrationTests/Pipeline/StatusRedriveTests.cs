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
/// Poisoned status callbacks are re-driven and visible, on Azurite with the real Twilio SDK against
/// <see cref="FakeTwilioServer"/>: two members are sent an SMS (rows Sent); their status callbacks, poisoned with
/// <c>TooManyDeliveries</c> or by the host (bare), go back on the app's own <c>sms-status</c> queue as they were received,
/// and applied by <see cref="Functions.Functions.StatusCallbackConsumer"/> they move the rows exactly as the originals
/// would have (forward only: an older status re-driven after a newer one changes nothing; applied twice, nothing changes).
/// A malformed one stays poisoned and is counted in the report; one past its budget stays poisoned, the report says so,
/// and the organiser's re-drive gives it a fresh budget.
/// </summary>
public sealed class StatusRedriveTests : IAsyncLifetime
{
    private static readonly string[] Phones = ["+447700900491", "+447700900492"];
    private TwoSmsMembersApp _world = null!;

    public async Task InitializeAsync() => _world = await TwoSmsMembersApp.StartAsync("srd", Phones, "Pipeline:StatusRedriveBudget");

    public async Task DisposeAsync()
    {
        await _world.DisposeAsync();
    }

    private T Service<T>()
        where T : notnull => _world.Service<T>();

    private QueueClient Poison => _world.App.StatusPoisonQueue;

    private StatusCallbackRedriver Redriver(TimeSpan? lookAgainAfter = null) => new(
        _world.App.Services.QueueService(StorageServiceCollectionExtensions.DefaultConnectionName), Service<PipelineTables>(), Service<PipelineOptions>(), _world.Time,
        _world.App.StatusQueue.Name, lookAgainAfter);

    [Fact]
    public async Task PoisonedStatuses_AreRedrivenAsReceived_AndApplyAsTheOriginalsWould_MalformedStays()
    {
        var (alertId, keys) = await SendToBothAsync("hearing-status-redrive");
        var (aigul, bota) = (keys[0], keys[1]);
        // Aigul's "delivered" failed on every dequeue (the consumer's entry), then her older "sent" was poisoned by the host
        // (killed on every dequeue: the bare message); Bota's "undelivered" 30003 has the consumer's entry; and one
        // malformed message names Aigul's row.
        var delivered = Status(aigul, "delivered", null);
        var sent = Status(aigul, "sent", null);
        var undelivered = Status(bota, "undelivered", "30003");
        await PoisonAsync(Entry(delivered, DeadLetterReasons.TooManyDeliveries));
        await PoisonAsync(sent);
        await PoisonAsync(Entry(undelivered, DeadLetterReasons.TooManyDeliveries));
        var malformed = JsonSerializer.Serialize(new StatusCallbackMessage(aigul.Value, "teleported", null, "SM1", _world.Time.GetUtcNow()), JsonSerializerOptions.Web);
        await PoisonAsync(JsonSerializer.Serialize(
            new StatusPoisonEntry(DeadLetterReasons.MalformedMessage, "status message: messageStatus must be a Twilio message status we track", null, _world.Time.GetUtcNow(), malformed),
            JsonSerializerOptions.Web));

        var redriver = Redriver(lookAgainAfter: TimeSpan.FromSeconds(1));
        (await redriver.RedriveAsync(default)).Should().Be(new PoisonRedriveResult(3, 0, 1));

        var back = (await _world.App.StatusQueue.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString());
        back.Should().BeEquivalentTo([delivered, sent, undelivered], "each goes back exactly as it was received");
        (await _world.App.ApplyQueuedStatusCallbacksAsync()).Should().Be(3);
        var afterRedrive = await RowsAsync(keys);
        afterRedrive[0].Status.Should().Be(DeliveryStatus.Delivered, "the older 'sent' re-driven with it changed nothing, whatever the order");
        afterRedrive[1].Status.Should().Be(DeliveryStatus.Undelivered);
        afterRedrive[1].ErrorCode.Should().Be("30003");
        afterRedrive[1].FailureReason.Should().NotBeNull();

        // Applied again (a crash between the re-drive's put and its delete re-drives a status twice): nothing moves.
        foreach (var text in new[] { delivered, sent, undelivered })
        {
            await _world.App.StatusQueue.SendMessageAsync(text);
        }

        (await _world.App.ApplyQueuedStatusCallbacksAsync()).Should().Be(3);
        (await RowsAsync(keys)).Select(r => (r.Status, r.ErrorCode, r.FailureReason, r.ProviderId))
            .Should().Equal(afterRedrive.Select(r => (r.Status, r.ErrorCode, r.FailureReason, r.ProviderId)));

        (await Poison.GetPropertiesAsync()).Value.ApproximateMessagesCount.Should().Be(1, "the malformed one stays poisoned");
        await Poll.UntilAsync(async () => (await redriver.RedriveAsync(default)).Kept == 1, "the malformed one to be looked at again, and kept", TimeSpan.FromSeconds(15));
        (await Poison.GetPropertiesAsync()).Value.ApproximateMessagesCount.Should().Be(1, "looked at again, the malformed one stays");
        (await Service<StatusCallbackRedriver>().GetProgressAsync(alertId, UnionId.Parse(_world.Union.UnionId), default))
            .Should().Be(new PoisonRedriveProgress(3, 0, 1), "three statuses re-driven, the malformed one kept and counted once though looked at twice");
        var report = await GetJsonAsync($"/api/unions/{_world.Union.UnionId}/alerts/{alertId.Value}/report");
        var statuses = report.GetProperty("statusCallbacks");
        statuses.GetProperty("incomplete").GetBoolean().Should().BeFalse();
        statuses.GetProperty("malformed").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task StatusPastItsBudget_StaysPoisoned_ReportSaysIncomplete_OrganiserRedriveGivesAFreshBudget()
    {
        var (alertId, keys) = await SendToBothAsync("hearing-status-budget");
        var delivered = Status(keys[0], "delivered", null);
        await PoisonAsync(Entry(delivered, DeadLetterReasons.TooManyDeliveries));
        var redriver = Redriver(lookAgainAfter: TimeSpan.FromSeconds(1));
        (await redriver.RedriveAsync(default)).Redriven.Should().Be(1, "the budget (1) allows one re-drive");
        // It fails on every dequeue again: the consumer poisons it a second time.
        var again = (await _world.App.StatusQueue.ReceiveMessagesAsync(32)).Value.Should().ContainSingle().Subject;
        await PoisonAsync(Entry(again.Body.ToString(), DeadLetterReasons.TooManyDeliveries));
        await _world.App.StatusQueue.DeleteMessageAsync(again.MessageId, again.PopReceipt);

        (await redriver.RedriveAsync(default)).Should().Be(new PoisonRedriveResult(0, 1, 0));

        (await Poison.GetPropertiesAsync()).Value.ApproximateMessagesCount.Should().Be(1, "a status past its budget stays poisoned");
        var report = await GetJsonAsync($"/api/unions/{_world.Union.UnionId}/alerts/{alertId.Value}/report");
        report.GetProperty("statusCallbacks").GetProperty("incomplete").GetBoolean().Should().BeTrue();
        report.GetProperty("statusCallbacks").GetProperty("poisoned").GetInt32().Should().Be(1);
        report.GetProperty("dispatch").GetProperty("incomplete").GetBoolean().Should().BeFalse("every SMS was sent");

        using var redrive = await TestFunctionApps.SendWithKeyAsync(_world.Client, _world.Union.OrganiserKey, HttpMethod.Post, $"/api/unions/{_world.Union.UnionId}/alerts/{alertId.Value}/fanout/redrive");
        redrive.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var answer = JsonDocument.Parse(await redrive.Content.ReadAsStringAsync()).RootElement;
        answer.GetProperty("statusesToRedrive").GetInt32().Should().Be(1);
        answer.GetProperty("batchesToRedrive").GetInt32().Should().Be(0);
        var back = 0;
        await Poll.UntilAsync(async () => (back += (await redriver.RedriveAsync(default)).Redriven) == 1, "the reset status to be re-driven once visible again", TimeSpan.FromSeconds(15));
        (await _world.App.ApplyQueuedStatusCallbacksAsync()).Should().Be(1);
        (await RowsAsync(keys))[0].Status.Should().Be(DeliveryStatus.Delivered);
        (await GetJsonAsync($"/api/unions/{_world.Union.UnionId}/alerts/{alertId.Value}/report")).GetProperty("statusCallbacks").GetProperty("incomplete").GetBoolean().Should().BeFalse();
    }

    /// <summary>Fans the alert out to both members and sends both SMS through the fake Twilio: rows Sent with their provider ids.</summary>
    private async Task<(AlertId AlertId, IReadOnlyList<DeliveryKey> Keys)> SendToBothAsync(string eventId)
    {
        var accepted = await TestFunctionApps.FanOutFullyAsync(_world.App, HearingEvent.Json(eventId, _world.Campaign.Value, "\"sms\""));
        var keys = (await Service<IDeliveryStore>().GetPageAsync(accepted.AlertId!, 10, null)).Rows.Select(r => r.Key).OrderBy(k => k.Value, StringComparer.Ordinal).ToList();
        keys.Should().HaveCount(2);
        foreach (var key in keys)
        {
            await Service<SendSmsHandler>().HandleAsync(key, default);
        }

        (await RowsAsync(keys)).Should().OnlyContain(r => r.Status == DeliveryStatus.Sent && r.ProviderId != null);
        return (accepted.AlertId!, keys);
    }

    /// <summary>The <c>sms-status</c> message the webhook would have queued for the row's message (its own SID).</summary>
    private string Status(DeliveryKey key, string status, string? errorCode) =>
        JsonSerializer.Serialize(new StatusCallbackMessage(key.Value, status, errorCode, RowsAsync([key]).GetAwaiter().GetResult()[0].ProviderId, _world.Time.GetUtcNow()), JsonSerializerOptions.Web);

    /// <summary>The consumer's poison entry for <paramref name="body"/> (as <c>StatusCallbackConsumer</c> writes it).</summary>
    private string Entry(string body, string reason)
    {
        var message = JsonSerializer.Deserialize<StatusCallbackMessage>(body, JsonSerializerOptions.Web)!;
        return JsonSerializer.Serialize(
            new StatusPoisonEntry(reason, $"Status {message.MessageStatus} for {message.Reference} was dequeued 5 times", message.Reference, _world.Time.GetUtcNow(), body),
            JsonSerializerOptions.Web);
    }

    private async Task PoisonAsync(string text)
    {
        await Poison.CreateIfNotExistsAsync();
        await Poison.SendMessageAsync(text);
    }

    private async Task<IReadOnlyList<DeliveryRecord>> RowsAsync(IEnumerable<DeliveryKey> keys)
    {
        var rows = new List<DeliveryRecord>();
        foreach (var key in keys)
        {
            rows.Add((await Service<IDeliveryStore>().GetAsync(key))!.Record);
        }

        return rows;
    }

    private Task<JsonElement> GetJsonAsync(string path) => TestFunctionApps.GetJsonWithKeyAsync(_world.Client, _world.Union.OrganiserKey, path);
}

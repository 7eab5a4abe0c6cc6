using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.ServiceBus;
using AlertPipeline.UnitTests.Pipeline;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace AlertPipeline.UnitTests.ServiceBus;

/// <summary>
/// The settle decision for each delivery outcome, end to end through the real <see cref="DispatchBatchHandler"/> and SMS
/// sender (ports mocked strictly by <see cref="PipelineWorld"/>), a received message from the model factory and the
/// processor's event args over a mocked receiver.
/// </summary>
public sealed class DispatchSettlerPipelineTests
{
    private const string Phone = "+447700900123";
    private readonly PipelineWorld _world = new();
    private readonly ServiceBusKit _kit = new();
    private readonly List<string> _settlements = [];
    private readonly DeliveryKey _key;
    private readonly DispatchBatch _batch;

    public DispatchSettlerPipelineTests()
    {
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "aigul", Phone, name: "Aigul");
        var alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["sms"]"""));
        _key = _world.KeyFor(alert, Channel.Sms, Phone);
        _world.Deliveries.Put(DeliveryPlanner.Plan(alert, _world.Contacts, _world.Hasher, _world.Time.Now()).Single());
        _batch = DispatchBatch.Split([_key], _world.Options.DispatchBatchSize).Single();
    }

    private DeliveryRecord Row => _world.Deliveries[_key];

    [Fact]
    public async Task Sent_CompletesTheMessage()
    {
        _world.SetUpSmsSuccess();

        var action = await SettleAsync(deliveryCount: 1);

        action.Should().Be(DispatchSettleAction.Completed);
        _settlements.Should().Equal("complete");
        Row.Status.Should().Be(DeliveryStatus.Sent);
    }

    [Fact]
    public async Task OptedOut_SkipsTheRowAndCompletes_WithoutSending()
    {
        _world.OptedOut.Add((_key.Recipient, Channel.Sms));

        var action = await SettleAsync(deliveryCount: 1);

        action.Should().Be(DispatchSettleAction.Completed);
        _settlements.Should().Equal("complete");
        Row.Status.Should().Be(DeliveryStatus.Skipped);
        _world.Sms.Verify(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task PermanentFailure_FailsTheRowAndCompletes()
    {
        _world.Sms.Setup(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new SmsSendException(ChannelFailureKind.InvalidRecipient, "21211", "invalid"));

        var action = await SettleAsync(deliveryCount: 1);

        action.Should().Be(DispatchSettleAction.Completed);
        _settlements.Should().Equal("complete");
        Row.Status.Should().Be(DeliveryStatus.Failed);
    }

    [Fact]
    public async Task TransientFailure_SchedulesACopyAfterTheBackoff_ThenCompletes()
    {
        _world.Sms.Setup(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new SmsSendException(ChannelFailureKind.Transient, "20429", "too many requests"));

        var action = await SettleAsync(deliveryCount: 1);

        action.Should().Be(DispatchSettleAction.RetryScheduled);
        _settlements.Should().Equal("complete");
        var copy = _kit.SentSingly[QueueNames.SmsDispatch].Should().ContainSingle().Subject;
        copy.MessageId.Should().Be(_batch.DispatchId + "-r1");
        copy.ScheduledEnqueueTime.Should().Be(_world.Time.GetUtcNow() + DispatchBatchHandler.Backoff(1));
        Row.Status.Should().Be(DeliveryStatus.Sending, "the claim is released, not settled: the copy reconciles before any resend");
    }

    [Fact]
    public async Task TransientFailure_AtMaxDispatchDeliveries_DeadLettersTooManyDeliveries_AndSendsNoCopy()
    {
        _world.Sms.Setup(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new SmsSendException(ChannelFailureKind.Transient, "20429", "too many requests"));
        _world.Sms.Setup(g => g.FindSentAsync(Phone, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).Returns(NoRecords());

        // A retry copy whose chain has already been delivered nine times: this is the tenth delivery.
        var action = await SettleAsync(deliveryCount: 1, priorDeliveries: _world.Options.MaxDispatchDeliveries - 1);

        action.Should().Be(DispatchSettleAction.DeadLettered);
        _settlements.Should().ContainSingle().Which.Should().StartWith("dead-letter TooManyDeliveries:").And.Contain(_batch.DispatchId).And.NotContain("7700900123");
        _kit.SentSingly.Should().NotContainKey(QueueNames.SmsDispatch);
    }

    private static async IAsyncEnumerable<SmsSentRecord> NoRecords()
    {
        await Task.CompletedTask;
        yield break;
    }

    private Task<DispatchSettleAction> SettleAsync(int deliveryCount, int priorDeliveries = 0)
    {
        var properties = priorDeliveries > 0 ? new Dictionary<string, object> { ["priorDeliveries"] = priorDeliveries } : null;
        var message = ServiceBusKit.Received(_batch, deliveryCount, properties);
        var settler = new DispatchSettler(_world.Batches, _kit.DispatchSenders, _world.Time, NullLogger<DispatchSettler>.Instance);
        var args = new ProcessMessageEventArgs(message, ServiceBusKit.Receiver(_settlements).Object, CancellationToken.None);
        return settler.SettleAsync(message, new ProcessorSettleActions(args), CancellationToken.None);
    }
}

using System.Text;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.ServiceBus;
using AlertPipeline.Testing;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using Moq;

namespace AlertPipeline.UnitTests.ServiceBus;

/// <summary>
/// How <see cref="DispatchSettler"/> settles each handler decision, through the processor's own event args over a
/// mocked receiver. The handler here is scripted; <see cref="DispatchSettlerPipelineTests"/> runs the real one.
/// </summary>
public sealed class DispatchSettlerTests : IDisposable
{
    private readonly ServiceBusKit _kit = new();
    private readonly List<string> _settlements = [];
    private readonly LogSink _logs = new();
    private readonly List<(DispatchBatch Batch, int DeliveryCount)> _handled = [];

    [Fact]
    public async Task Settle_HandlerSaysComplete_CompletesTheMessage()
    {
        var batch = ServiceBusKit.Batch();

        var action = await SettleAsync(ServiceBusKit.Received(batch, deliveryCount: 3), Returns(DispatchSettlement.Complete.Instance));

        action.Should().Be(DispatchSettleAction.Completed);
        _settlements.Should().Equal("complete");
        _handled.Should().Equal((batch, 3));
        _kit.Senders.Should().BeEmpty("nothing is re-sent");
    }

    [Fact]
    public async Task Settle_RetryLater_SendsAScheduledCopyThenCompletes()
    {
        var batch = ServiceBusKit.Batch(traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        var received = ServiceBusKit.Received(batch, deliveryCount: 2);

        var action = await SettleAsync(received, Returns(new DispatchSettlement.RetryLater(TimeSpan.FromSeconds(20), "1 of 2 deliveries not settled")));

        action.Should().Be(DispatchSettleAction.RetryScheduled);
        _settlements.Should().Equal("complete");
        var copy = _kit.SentSingly[QueueNames.SmsDispatch].Should().ContainSingle().Subject;
        copy.MessageId.Should().Be(batch.DispatchId + "-r2", "stable for this delivery, distinct from the original");
        copy.ScheduledEnqueueTime.Should().Be(ServiceBusKit.Now.AddSeconds(20));
        copy.ApplicationProperties["priorDeliveries"].Should().Be(2);
        copy.CorrelationId.Should().Be(received.CorrelationId);
        copy.Body.ToString().Should().Be(received.Body.ToString());
        ServiceBusKit.BodyOf(copy).Should().Be(batch);
    }

    [Fact]
    public async Task Settle_ARetryCopy_KeepsCountingDeliveriesAcrossCopies()
    {
        var batch = ServiceBusKit.Batch();
        var copy = ServiceBusKit.Received(batch, deliveryCount: 2, properties: new Dictionary<string, object> { ["priorDeliveries"] = 4 });

        await SettleAsync(copy, Returns(new DispatchSettlement.RetryLater(TimeSpan.FromMinutes(1), "transient")));

        _handled.Single().DeliveryCount.Should().Be(6, "four deliveries before this copy, and this copy's second");
        _kit.SentSingly[QueueNames.SmsDispatch].Single().MessageId.Should().Be(batch.DispatchId + "-r6");
        _kit.SentSingly[QueueNames.SmsDispatch].Single().ApplicationProperties["priorDeliveries"].Should().Be(6);
    }

    [Fact]
    public async Task Settle_TheRetryCopyAsTheQueueDeliversIt_IsReadAndHandledAsTheNextDelivery()
    {
        var batch = ServiceBusKit.Batch(recipients: 3);
        await SettleAsync(ServiceBusKit.Received(batch, deliveryCount: 3), Returns(new DispatchSettlement.RetryLater(TimeSpan.FromSeconds(40), "transient")));
        var copy = _kit.SentSingly[QueueNames.SmsDispatch].Single();
        var delivered = ServiceBusModelFactory.ServiceBusReceivedMessage(
            body: copy.Body, messageId: copy.MessageId, correlationId: copy.CorrelationId, properties: copy.ApplicationProperties, deliveryCount: 1);

        var action = await SettleAsync(delivered, Returns(DispatchSettlement.Complete.Instance));

        action.Should().Be(DispatchSettleAction.Completed);
        _handled.Should().Equal((batch, 3), (batch, 4));
        _settlements.Should().Equal("complete", "complete");
    }

    [Fact]
    public async Task Settle_HandlerSaysDeadLetter_DeadLettersWithItsReasonAndDescription()
    {
        var batch = ServiceBusKit.Batch(recipients: 3);

        var action = await SettleAsync(
            ServiceBusKit.Received(batch, deliveryCount: 10),
            Returns(new DispatchSettlement.DeadLetter(DeadLetterReasons.TooManyDeliveries, "delivered 10 times; 3 rows stay Pending")));

        action.Should().Be(DispatchSettleAction.DeadLettered);
        _settlements.Should().Equal("dead-letter TooManyDeliveries: delivered 10 times; 3 rows stay Pending");
    }

    [Fact]
    public async Task Settle_BodyNotJson_DeadLettersMalformed_WithoutCallingTheHandler()
    {
        var received = ServiceBusKit.Received(BinaryData.FromString("{\"alertId\": nope"));

        var action = await SettleAsync(received, Returns(DispatchSettlement.Complete.Instance));

        action.Should().Be(DispatchSettleAction.DeadLettered);
        _settlements.Should().ContainSingle().Which.Should().StartWith("dead-letter MalformedMessage: dispatch message: not valid JSON");
        _handled.Should().BeEmpty();
    }

    [Fact]
    public async Task Settle_ANumberWhereAHashBelongs_DeadLettersMalformed_NamingTheFieldNotTheNumber()
    {
        var json = $$"""{"alertId":"{{ServiceBusKit.Alert}}","channel":"sms","bucket":3,"recipients":["+447700900123"]}""";

        await SettleAsync(ServiceBusKit.Received(BinaryData.FromBytes(Encoding.UTF8.GetBytes(json))), Returns(DispatchSettlement.Complete.Instance));

        _settlements.Should().ContainSingle().Which.Should().StartWith("dead-letter MalformedMessage:").And.Contain("recipients[0]").And.NotContain("7700900123");
        _logs.Lines.Should().ContainSingle().Which.Should().Contain("recipients[0]").And.NotContain("7700900123");
    }

    [Fact]
    public async Task Settle_HandlerThrows_AbandonsForRedelivery_LoggingTheTypeNotTheMessage()
    {
        var batch = ServiceBusKit.Batch();

        var action = await SettleAsync(
            ServiceBusKit.Received(batch, deliveryCount: 4),
            (_, _, _) => throw new HttpRequestException("connection reset while sending to +447700900123"));

        action.Should().Be(DispatchSettleAction.Abandoned);
        _settlements.Should().Equal("abandon");
        _logs.Lines.Should().ContainSingle().Which.Should().Contain(batch.DispatchId).And.Contain("HttpRequestException").And.NotContain("7700900123");
    }

    [Fact]
    public async Task Settle_RetryCopyCannotBeSent_AbandonsInstead_SoTheMessageIsNotLost()
    {
        var batch = ServiceBusKit.Batch();
        _kit.Sender(QueueNames.SmsDispatch).Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ServiceBusException("link detached", ServiceBusFailureReason.ServiceCommunicationProblem));

        var action = await SettleAsync(ServiceBusKit.Received(batch), Returns(new DispatchSettlement.RetryLater(TimeSpan.FromSeconds(10), "transient")));

        action.Should().Be(DispatchSettleAction.Abandoned);
        _settlements.Should().Equal(["abandon"], "never completed without its copy");
    }

    private Func<DispatchBatch, int, CancellationToken, Task<DispatchBatchResult>> Returns(DispatchSettlement settlement) =>
        (batch, count, _) => Task.FromResult(new DispatchBatchResult([], settlement));

    private Task<DispatchSettleAction> SettleAsync(ServiceBusReceivedMessage message, Func<DispatchBatch, int, CancellationToken, Task<DispatchBatchResult>> handle)
    {
        var settler = new DispatchSettler(
            (batch, count, ct) =>
            {
                _handled.Add((batch, count));
                return handle(batch, count, ct);
            },
            _kit.DispatchSenders,
            _kit.Time,
            new LoggerFactory([_logs]).CreateLogger<DispatchSettler>());
        var args = new ProcessMessageEventArgs(message, ServiceBusKit.Receiver(_settlements).Object, CancellationToken.None);
        return settler.SettleAsync(message, new ProcessorSettleActions(args), CancellationToken.None);
    }

    public void Dispose() => _logs.Dispose();
}

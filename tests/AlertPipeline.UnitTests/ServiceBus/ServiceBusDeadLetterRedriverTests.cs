using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Infrastructure.ServiceBus;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace AlertPipeline.UnitTests.ServiceBus;

/// <summary>
/// <see cref="ServiceBusDeadLetterRedriver"/> over strict mocks of the SDK's <see cref="ServiceBusClient"/>,
/// <see cref="ServiceBusReceiver"/> (the dead-letter sub-queue) and <see cref="ServiceBusSender"/>: what goes back, with
/// which id and properties, in which order, and what stays dead-lettered.
/// </summary>
public sealed class ServiceBusDeadLetterRedriverTests
{
    private readonly ServiceBusKit _kit = new();
    private readonly List<string> _calls = [];
    private readonly List<(string AlertId, string ItemId, IReadOnlyDictionary<string, object> Columns)> _spent = [];
    private readonly Dictionary<string, Mock<ServiceBusReceiver>> _receivers = [];

    /// <summary>The re-drive budget the test gives (null: spent).</summary>
    private int? _redrive = 1;

    private ServiceBusDeadLetterRedriver Redriver() => new(
        _kit.Client.Object,
        _kit.DispatchSenders,
        (alertId, itemId, columns, _) =>
        {
            _spent.Add((alertId, itemId, columns));
            return Task.FromResult(_redrive);
        },
        NullLogger<ServiceBusDeadLetterRedriver>.Instance);

    /// <summary>A strict dead-letter receiver for <paramref name="queue"/> handing out <paramref name="messages"/> once, then nothing.</summary>
    private Mock<ServiceBusReceiver> DeadLetters(string queue, params ServiceBusReceivedMessage[] messages)
    {
        var receiver = new Mock<ServiceBusReceiver>(MockBehavior.Strict);
        var rounds = new Queue<IReadOnlyList<ServiceBusReceivedMessage>>([messages]);
        receiver.Setup(r => r.ReceiveMessagesAsync(ServiceBusDeadLetterRedriver.MessagesPerReceive, ServiceBusDeadLetterRedriver.ReceiveWait, It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => rounds.Count > 0 ? rounds.Dequeue() : []);
        receiver.Setup(r => r.CompleteMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<CancellationToken>()))
            .Callback((ServiceBusReceivedMessage m, CancellationToken _) => _calls.Add($"complete {m.SequenceNumber}")).Returns(Task.CompletedTask);
        receiver.Setup(r => r.AbandonMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<IDictionary<string, object>>(), It.IsAny<CancellationToken>()))
            .Callback((ServiceBusReceivedMessage m, IDictionary<string, object> _, CancellationToken _) => _calls.Add($"abandon {m.SequenceNumber}")).Returns(Task.CompletedTask);
        receiver.Setup(r => r.DisposeAsync()).Callback(() => _calls.Add($"close {queue}")).Returns(ValueTask.CompletedTask);
        _kit.Client.Setup(c => c.CreateReceiver(queue, It.Is<ServiceBusReceiverOptions>(o => o.SubQueue == SubQueue.DeadLetter && o.ReceiveMode == ServiceBusReceiveMode.PeekLock)))
            .Returns(receiver.Object);
        _receivers[queue] = receiver;
        return receiver;
    }

    private static ServiceBusReceivedMessage DeadLettered(DispatchBatch batch, string? reason, long sequenceNumber, IDictionary<string, object>? properties = null) =>
        DeadLettered(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(batch.ToMessage(), JsonSerializerOptions.Web)), batch.DispatchId, reason, sequenceNumber, properties);

    /// <summary>A message as the dead-letter sub-queue hands it out: the broker keeps the reason and description in its application properties.</summary>
    private static ServiceBusReceivedMessage DeadLettered(BinaryData body, string messageId, string? reason, long sequenceNumber, IDictionary<string, object>? properties = null)
    {
        var all = new Dictionary<string, object>(properties ?? new Dictionary<string, object>());
        if (reason is not null)
        {
            all["DeadLetterReason"] = reason;
            all["DeadLetterErrorDescription"] = "Dispatch was delivered 10 times";
        }

        var message = ServiceBusModelFactory.ServiceBusReceivedMessage(
            body: body,
            messageId: messageId,
            correlationId: ServiceBusKit.Alert.Value,
            contentType: ServiceBusDispatchMessages.ContentType,
            subject: ServiceBusDispatchMessages.Subject,
            properties: all,
            deliveryCount: 1,
            lockedUntil: ServiceBusKit.Now.AddMinutes(1),
            sequenceNumber: sequenceNumber);
        message.DeadLetterReason.Should().Be(reason, "the SDK reads the reason from there");
        return message;
    }

    [Theory]
    [InlineData(DeadLetterReasons.TooManyDeliveries)]
    [InlineData(DeadLetterReasons.AlertMissing)]
    [InlineData(DispatchRedrive.MaxDeliveryCountExceeded)]
    [InlineData(DispatchRedrive.TtlExpired)]
    public async Task DeadLetteredBatch_IsCountedThenSentBackAsAFreshCopy_AndCompletedOnlyAfterTheSend(string reason)
    {
        var batch = ServiceBusKit.Batch(traceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        var original = ServiceBusDispatchMessages.Create(batch, NodaTime.Instant.FromDateTimeOffset(ServiceBusKit.Now));
        var properties = new Dictionary<string, object>(original.ApplicationProperties) { [ServiceBusDispatchMessages.PriorDeliveriesProperty] = 9 };
        DeadLetters("sms-dispatch", DeadLettered(batch, reason, sequenceNumber: 4711, properties));
        DeadLetters("email-dispatch");
        _kit.Sender("sms-dispatch").Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>()))
            .Callback((ServiceBusMessage m, CancellationToken _) => { _calls.Add($"send {m.MessageId}"); _kit.SentSingly["sms-dispatch"].Add(m); })
            .Returns(Task.CompletedTask);

        var result = await Redriver().RedriveAsync(default);

        result.Should().Be(new PoisonRedriveResult(1, 0, 0));
        _calls.Should().Equal($"send {batch.DispatchId}-dl4711", "complete 4711", "close sms-dispatch", "close email-dispatch");
        var copy = _kit.SentSingly["sms-dispatch"].Should().ContainSingle().Subject;
        ServiceBusKit.BodyOf(copy).Should().Be(batch, "the batch goes back as it was dead-lettered");
        copy.CorrelationId.Should().Be(batch.AlertId.Value);
        copy.ApplicationProperties.Should().Contain(ServiceBusDispatchMessages.ChannelProperty, "sms")
            .And.Contain(ServiceBusDispatchMessages.BucketProperty, batch.Bucket)
            .And.Contain(ServiceBusDispatchMessages.TraceParentProperty, batch.TraceParent!)
            .And.Contain(ServiceBusDispatchMessages.RedriveOfProperty, "dl4711")
            .And.NotContainKey(ServiceBusDispatchMessages.PriorDeliveriesProperty, "the copy gets its full deliveries again (its re-drive budget bounds it)")
            .And.NotContainKey("DeadLetterReason").And.NotContainKey("DeadLetterErrorDescription");
        var (alertId, itemId, columns) = _spent.Should().ContainSingle().Subject;
        (alertId, itemId).Should().Be((batch.AlertId.Value, batch.DispatchId), "counted with the Storage transport's re-drives of the same dispatch id");
        columns.Should().Contain("Reason", reason).And.Contain("Channel", "sms").And.Contain("Recipients", 2);
    }

    [Fact]
    public async Task SendFails_TheDeadLetteredMessageIsNotCompleted()
    {
        var batch = ServiceBusKit.Batch();
        DeadLetters("sms-dispatch", DeadLettered(batch, DeadLetterReasons.TooManyDeliveries, sequenceNumber: 7));
        _kit.Sender("sms-dispatch").Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ServiceBusException("link detached", ServiceBusFailureReason.ServiceCommunicationProblem));

        await FluentActions.Awaiting(() => Redriver().RedriveAsync(default)).Should().ThrowAsync<ServiceBusException>();

        _calls.Should().Equal(["close sms-dispatch"], "it stays dead-lettered (its lock expires) for the next tick");
    }

    [Fact]
    public async Task MalformedUnknownReasonOrPastItsBudget_StaysDeadLettered_AbandonedOnceThePassIsOver()
    {
        var batch = ServiceBusKit.Batch();
        var email = ServiceBusKit.Batch(Channel.Email, seed: 1);
        DeadLetters(
            "sms-dispatch",
            DeadLettered(batch, DeadLetterReasons.MalformedMessage, sequenceNumber: 1),
            DeadLettered(BinaryData.FromString("{\"alertId\":"), "m-2", DispatchRedrive.MaxDeliveryCountExceeded, sequenceNumber: 2),
            DeadLettered(batch, "SomethingNew", sequenceNumber: 3),
            DeadLettered(batch, reason: null, sequenceNumber: 4),
            DeadLettered(email, DeadLetterReasons.TooManyDeliveries, sequenceNumber: 5)); // the other channel's batch
        DeadLetters("email-dispatch", DeadLettered(email, DeadLetterReasons.TooManyDeliveries, sequenceNumber: 6));
        _redrive = null; // the email batch's budget is spent

        var result = await Redriver().RedriveAsync(default);

        result.Should().Be(new PoisonRedriveResult(0, 1, 5));
        _calls.Should().Equal(
            "abandon 1", "abandon 2", "abandon 3", "abandon 4", "abandon 5", "close sms-dispatch", "abandon 6", "close email-dispatch");
        _spent.Should().ContainSingle().Which.ItemId.Should().Be(email.DispatchId, "only a readable batch of its own queue with a re-drivable reason spends budget");
        _kit.Senders.Should().BeEmpty("nothing was sent");
    }

    [Fact]
    public async Task MoreThanOneReceiveOfDeadLetters_AreAllLookedAt_UpToThePassLimit()
    {
        var batches = Enumerable.Range(0, ServiceBusDeadLetterRedriver.MessagesPerReceive + 3).Select(i => ServiceBusKit.Batch(seed: i + 10)).ToList();
        var messages = batches.Select((b, i) => DeadLettered(b, DeadLetterReasons.TooManyDeliveries, sequenceNumber: 100 + i)).ToList();
        var receiver = DeadLetters("sms-dispatch");
        var rounds = new Queue<IReadOnlyList<ServiceBusReceivedMessage>>([messages[..ServiceBusDeadLetterRedriver.MessagesPerReceive], messages[ServiceBusDeadLetterRedriver.MessagesPerReceive..]]);
        receiver.Setup(r => r.ReceiveMessagesAsync(ServiceBusDeadLetterRedriver.MessagesPerReceive, ServiceBusDeadLetterRedriver.ReceiveWait, It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => rounds.Count > 0 ? rounds.Dequeue() : []);
        DeadLetters("email-dispatch");

        var result = await Redriver().RedriveAsync(default);

        result.Should().Be(new PoisonRedriveResult(batches.Count, 0, 0));
        _kit.SentSingly["sms-dispatch"].Select(m => m.MessageId).Should().Equal(batches.Select((b, i) => $"{b.DispatchId}-dl{100 + i}"));
        receiver.Verify(r => r.ReceiveMessagesAsync(It.IsAny<int>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()), Times.Exactly(2), "the second receive came back short: the queue is empty");
    }

    [Fact]
    public void RetryCopy_OfARedrivenCopy_NeverReusesAnIdOfTheOriginalsChain()
    {
        var batch = ServiceBusKit.Batch();
        var redriven = ServiceBusKit.Received(batch, deliveryCount: 1, properties: new Dictionary<string, object> { [ServiceBusDispatchMessages.RedriveOfProperty] = "dl4711" });

        var copy = ServiceBusDispatchMessages.RetryCopy(redriven, batch, 1, TimeSpan.FromSeconds(10), NodaTime.Instant.FromDateTimeOffset(ServiceBusKit.Now));

        copy.MessageId.Should().Be($"{batch.DispatchId}-dl4711-r1").And.NotBe(ServiceBusDispatchMessages.RetryMessageId(batch, 1));
        copy.ApplicationProperties.Should().Contain(ServiceBusDispatchMessages.RedriveOfProperty, "dl4711", "its own retry copies keep the mark");
        ServiceBusDispatchMessages.DeliveryCount(redriven).Should().Be(1, "a re-driven copy counts its deliveries afresh");
    }
}

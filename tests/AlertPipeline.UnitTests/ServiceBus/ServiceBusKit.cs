using System.Text.Json;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.ServiceBus;
using AlertPipeline.Testing;
using Azure.Messaging.ServiceBus;
using Moq;
using NodaTime;

namespace AlertPipeline.UnitTests.ServiceBus;

/// <summary>
/// The Service Bus SDK's own types for tests, as its mocking guide describes: strict Moq mocks of
/// <see cref="ServiceBusClient"/>, <see cref="ServiceBusSender"/> and <see cref="ServiceBusReceiver"/>, batches from
/// <see cref="ServiceBusModelFactory.ServiceBusMessageBatch"/> over lists the test keeps, received messages from
/// <see cref="ServiceBusModelFactory.ServiceBusReceivedMessage"/>. Nothing here opens a connection.
/// </summary>
internal sealed class ServiceBusKit
{
    public static readonly DateTimeOffset Now = new(2026, 1, 2, 7, 0, 0, TimeSpan.Zero);
    public static readonly AlertId Alert = AlertId.Parse("75774197e5449172989a88db2b6df47f");

    public static readonly RecipientHasher Hasher = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public ServiceBusKit()
    {
        Client.Setup(c => c.CreateSender(It.IsAny<string>())).Returns((string queue) => Sender(queue).Object);
    }

    public ManualTimeProvider Time { get; } = new(Now);

    public Mock<ServiceBusClient> Client { get; } = new(MockBehavior.Strict);

    public Dictionary<string, Mock<ServiceBusSender>> Senders { get; } = [];

    /// <summary>Every SDK batch created, per queue, with the list each one filled (in creation order).</summary>
    public Dictionary<string, List<List<ServiceBusMessage>>> Transfers { get; } = [];

    /// <summary>The batches passed to <c>SendMessagesAsync</c>, per queue, as the lists behind them.</summary>
    public Dictionary<string, List<List<ServiceBusMessage>>> Sent { get; } = [];

    /// <summary>Messages sent one by one (<c>SendMessageAsync</c>: the settler's retry copies), per queue.</summary>
    public Dictionary<string, List<ServiceBusMessage>> SentSingly { get; } = [];

    /// <summary>How many messages a batch accepts before it reports "full" (the SDK decides by bytes; tests by count).</summary>
    public int BatchCapacity { get; set; } = 100;

    public ServiceBusDispatchSenders DispatchSenders => new(Client.Object);

    public ServiceBusDispatchQueue Queue => new(DispatchSenders, Time);

    public Mock<ServiceBusSender> Sender(string queue)
    {
        if (Senders.TryGetValue(queue, out var existing))
        {
            return existing;
        }

        var sender = new Mock<ServiceBusSender>(MockBehavior.Strict);
        var transfers = Transfers[queue] = [];
        var sent = Sent[queue] = [];
        var singly = SentSingly[queue] = [];
        var backing = new Dictionary<ServiceBusMessageBatch, List<ServiceBusMessage>>(ReferenceEqualityComparer.Instance);
        sender.Setup(s => s.CreateMessageBatchAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() =>
        {
            var store = new List<ServiceBusMessage>();
            transfers.Add(store);
            var batch = ServiceBusModelFactory.ServiceBusMessageBatch(256 * 1024, store, new CreateMessageBatchOptions(), _ => store.Count < BatchCapacity);
            backing[batch] = store;
            return batch;
        });
        sender.Setup(s => s.SendMessagesAsync(It.IsAny<ServiceBusMessageBatch>(), It.IsAny<CancellationToken>()))
            .Callback((ServiceBusMessageBatch batch, CancellationToken _) => sent.Add([.. backing[batch]]))
            .Returns(Task.CompletedTask);
        sender.Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>()))
            .Callback((ServiceBusMessage message, CancellationToken _) => singly.Add(message))
            .Returns(Task.CompletedTask);
        Senders[queue] = sender;
        return sender;
    }

    /// <summary><paramref name="count"/> distinct recipient hashes, all in <paramref name="bucket"/> (its first hex digit).</summary>
    public static IReadOnlyList<RecipientHash> RecipientsIn(int bucket, int count, int seed = 0) =>
        Enumerable.Range(0, count)
            .Select(i => RecipientHash.Parse(DeliveryBuckets.Digit(bucket) + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes((seed * 10_000) + i)))[..(RecipientHash.Length - 1)]))
            .ToList();

    public static DispatchBatch Batch(Channel channel = Channel.Sms, int bucket = 3, int recipients = 2, Instant? notBefore = null, string? traceParent = null, int seed = 0) =>
        new(Alert, channel, bucket, RecipientsIn(bucket, recipients, seed), notBefore, traceParent);

    /// <summary>A received message carrying <paramref name="batch"/> as the queue would deliver it.</summary>
    public static ServiceBusReceivedMessage Received(DispatchBatch batch, int deliveryCount = 1, IDictionary<string, object>? properties = null) =>
        Received(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(batch.ToMessage(), JsonSerializerOptions.Web)), batch.DispatchId, deliveryCount, properties);

    public static ServiceBusReceivedMessage Received(BinaryData body, string messageId = "m-1", int deliveryCount = 1, IDictionary<string, object>? properties = null) =>
        ServiceBusModelFactory.ServiceBusReceivedMessage(
            body: body,
            messageId: messageId,
            correlationId: Alert.Value,
            contentType: ServiceBusDispatchMessages.ContentType,
            subject: ServiceBusDispatchMessages.Subject,
            properties: properties ?? new Dictionary<string, object>(),
            deliveryCount: deliveryCount,
            lockedUntil: Now.AddMinutes(1),
            sequenceNumber: 42);

    /// <summary>A strict receiver that accepts exactly the settlement calls a processor's event args make, recording them.</summary>
    public static Mock<ServiceBusReceiver> Receiver(List<string> settlements)
    {
        var receiver = new Mock<ServiceBusReceiver>(MockBehavior.Strict);
        receiver.Setup(r => r.CompleteMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<CancellationToken>()))
            .Callback(() => settlements.Add("complete")).Returns(Task.CompletedTask);
        receiver.Setup(r => r.AbandonMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<IDictionary<string, object>>(), It.IsAny<CancellationToken>()))
            .Callback(() => settlements.Add("abandon")).Returns(Task.CompletedTask);
        receiver.Setup(r => r.DeadLetterMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<string>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Callback((ServiceBusReceivedMessage _, string reason, string description, CancellationToken _) => settlements.Add($"dead-letter {reason}: {description}"))
            .Returns(Task.CompletedTask);
        return receiver;
    }

    /// <summary>The JSON body of <paramref name="message"/> read back as the shared dispatch message.</summary>
    public static DispatchBatch BodyOf(ServiceBusMessage message)
    {
        var body = JsonSerializer.Deserialize<DispatchBatchMessage>(message.Body.ToString(), JsonSerializerOptions.Web)!;
        body.TryParse(out var batch, out var error).Should().BeTrue(error);
        return batch!;
    }
}

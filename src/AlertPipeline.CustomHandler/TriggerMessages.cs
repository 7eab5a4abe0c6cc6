using System.Text;

namespace AlertPipeline.CustomHandler;

/// <summary>A Storage queue message as the queue trigger sees it (the body already decoded from the queue's messageEncoding).</summary>
public sealed record QueueTriggerMessage
{
    public required string Id { get; init; }

    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Deliveries so far, counting this one (1 on the first attempt).</summary>
    public required long DequeueCount { get; init; }

    public DateTimeOffset? InsertionTime { get; init; }

    public DateTimeOffset? ExpirationTime { get; init; }

    public DateTimeOffset? NextVisibleTime { get; init; }

    public string? PopReceipt { get; init; }

    /// <summary>A message whose body is <paramref name="text"/> in UTF-8.</summary>
    public static QueueTriggerMessage FromText(string id, string text, long dequeueCount) =>
        new() { Id = id, Body = Encoding.UTF8.GetBytes(text), DequeueCount = dequeueCount };
}

/// <summary>A Service Bus message as the Service Bus trigger sees it.</summary>
public sealed record ServiceBusTriggerMessage
{
    public required string MessageId { get; init; }

    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Deliveries so far, counting this one (1 on the first attempt).</summary>
    public required int DeliveryCount { get; init; }

    public long SequenceNumber { get; init; }

    public DateTimeOffset? EnqueuedTime { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public string? LockToken { get; init; }

    public string? ContentType { get; init; }

    public string? CorrelationId { get; init; }

    public string? Subject { get; init; }

    public string? SessionId { get; init; }

    /// <summary>Application properties (string, number, boolean or null values).</summary>
    public IReadOnlyDictionary<string, object?> ApplicationProperties { get; init; } = new Dictionary<string, object?>();

    public static ServiceBusTriggerMessage FromText(string messageId, string text, int deliveryCount) =>
        new() { MessageId = messageId, Body = Encoding.UTF8.GetBytes(text), DeliveryCount = deliveryCount };
}

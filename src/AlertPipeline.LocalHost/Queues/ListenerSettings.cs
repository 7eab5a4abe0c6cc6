using Azure.Storage.Queues;

namespace AlertPipeline.LocalHost.Queues;

/// <summary>What a listener is triggered by.</summary>
internal enum TriggerKind
{
    /// <summary>A Storage queue trigger (<c>queueTrigger</c>).</summary>
    StorageQueue,

    /// <summary>A Service Bus queue trigger (<c>serviceBusTrigger</c>) mapped to an Azurite queue of the same name.</summary>
    ServiceBus,
}

/// <summary>How one queue- or Service-Bus-triggered function is fed (from host.json and the host's options).</summary>
internal sealed record ListenerSettings
{
    public required TriggerKind Kind { get; init; }

    public required string FunctionName { get; init; }

    public required string BindingName { get; init; }

    /// <summary>The trigger binding says <c>dataType: binary</c>.</summary>
    public bool Binary { get; init; }

    public required QueueClient Queue { get; init; }

    /// <summary><c>&lt;queue&gt;-poison</c> (for Service Bus: standing for the dead-letter queue).</summary>
    public required QueueClient PoisonQueue { get; init; }

    /// <summary>Messages per receive (1..32).</summary>
    public required int BatchSize { get; init; }

    /// <summary>Storage queues: fetch again once in-flight messages are at or below this (newBatchThreshold).</summary>
    public int NewBatchThreshold { get; init; }

    /// <summary>Service Bus: at most this many at once (maxConcurrentCalls).</summary>
    public int MaxConcurrentCalls { get; init; }

    public required TimeSpan MaxPollingInterval { get; init; }

    /// <summary>The visibility a message is received with and renewed to (at half of it) while its function runs.</summary>
    public required TimeSpan Lease { get; init; }

    /// <summary>Stop renewing after this long (Service Bus maxAutoLockRenewalDuration); null: renew for as long as it runs.</summary>
    public TimeSpan? MaxRenewalDuration { get; init; }

    /// <summary>The visibility a failed message gets before its retry (queues: visibilityTimeout; Service Bus abandon: 0).</summary>
    public required TimeSpan RetryVisibility { get; init; }

    /// <summary>maxDequeueCount (queues) or MaxDeliveryCount (Service Bus): a failure on this delivery poisons the message.</summary>
    public required int MaxAttempts { get; init; }

    /// <summary>Message text on the queue is base64 of the body.</summary>
    public required bool Base64 { get; init; }

    public required IReadOnlyList<OutputTarget> Outputs { get; init; }

    /// <summary>How many messages to fetch with <paramref name="inFlight"/> running; 0 means wait.</summary>
    public int FetchCount(int inFlight) => Kind switch
    {
        TriggerKind.StorageQueue => inFlight <= NewBatchThreshold ? BatchSize : 0,
        _ => Math.Max(0, Math.Min(BatchSize, MaxConcurrentCalls - inFlight)),
    };

    public string PoisonOutcomeName => Kind == TriggerKind.ServiceBus ? "dead-lettered" : "poisoned";
}

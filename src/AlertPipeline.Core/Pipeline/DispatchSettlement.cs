namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// What a transport does with a dispatch message once <see cref="DispatchBatchHandler"/> has handled it. Exactly three
/// cases; reasons and descriptions name keys, counts and codes, never a number or email.
/// </summary>
public abstract record DispatchSettlement
{
    private DispatchSettlement()
    {
    }

    /// <summary>Every row reached a state this message need not revisit (sent, skipped, failed permanently, already done,
    /// deferred to its NotBefore, not found): delete / complete the message.</summary>
    public sealed record Complete : DispatchSettlement
    {
        public static Complete Instance { get; } = new();
    }

    /// <summary>A transient failure or an unknown outcome left rows Pending or Sending: the message must come back after
    /// <paramref name="Delay"/> (Storage: the function fails and the host's visibility timeout retries; Service Bus: a
    /// scheduled copy).</summary>
    public sealed record RetryLater(TimeSpan Delay, string Reason) : DispatchSettlement;

    /// <summary>The message must not be retried: poison queue (Storage) or dead-letter queue (Service Bus) with
    /// <paramref name="Reason"/> (one of <see cref="DeadLetterReasons"/>) and <paramref name="Description"/> in words.</summary>
    public sealed record DeadLetter(string Reason, string Description) : DispatchSettlement;
}

/// <summary>The dead-letter / poison reasons of dispatch messages (Service Bus <c>DeadLetterReason</c>; recorded with Storage poison entries).</summary>
public static class DeadLetterReasons
{
    /// <summary>The body is not a valid dispatch message (the description names the field).</summary>
    public const string MalformedMessage = nameof(MalformedMessage);

    /// <summary>Delivered <see cref="PipelineOptions.MaxDispatchDeliveries"/> times and still not settled; its rows stay Pending/Sending and are listed.</summary>
    public const string TooManyDeliveries = nameof(TooManyDeliveries);

    /// <summary>The alert the message names is not stored (and did not appear within the retries).</summary>
    public const string AlertMissing = nameof(AlertMissing);
}

/// <summary>What one dispatch message did: one <see cref="SendResult"/> per row (in batch order) and how to settle the message.</summary>
public sealed record DispatchBatchResult(IReadOnlyList<SendResult> Rows, DispatchSettlement Settlement);

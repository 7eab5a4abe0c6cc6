using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Deliveries;
using NodaTime;

namespace AlertPipeline.Core.Pipeline;

public enum SendOutcome
{
    /// <summary>No such row (nothing to do).</summary>
    NotFound,

    /// <summary>The row was already past sending (Sent, terminal or Skipped): a duplicate dispatch.</summary>
    AlreadyDone,

    /// <summary>Another sender claimed the row between our read and our write (HTTP 412): it sends, we do not.</summary>
    ClaimLost,

    /// <summary>Not sent, on purpose (<see cref="SendResult.SkipReason"/>).</summary>
    Skipped,

    /// <summary>Handed to the provider now.</summary>
    Sent,

    /// <summary>An earlier attempt's message was found at the provider: recorded, not sent again.</summary>
    Reconciled,

    /// <summary>The provider refused it for good (<see cref="SendResult.FailureReason"/>).</summary>
    Failed,

    /// <summary>Not yet: the row is deferred by quiet hours (its <c>NotBefore</c> is in the future). Nothing changed; the
    /// ScheduleTick releases it when it is due. Not a failure and not a retry.</summary>
    Deferred,

    /// <summary>Not settled: a transient failure or an unknown outcome left the row Pending or Sending (<see cref="SendResult.Detail"/>
    /// says why). Its dispatch message must come back (<see cref="DispatchSettlement.RetryLater"/>).</summary>
    Retry,
}

/// <summary>What a sender did with one dispatch message. Holds keys and codes only, never an address: safe to log.</summary>
public sealed record SendResult(SendOutcome Outcome, DeliveryKey Key, DeliveryStatus? Status)
{
    public SkipReason? SkipReason { get; init; }

    public FailureReason? FailureReason { get; init; }

    public string? ProviderId { get; init; }

    public string? ErrorCode { get; init; }

    public int? Segments { get; init; }

    public int Attempt { get; init; }

    /// <summary>The row's quiet-hours <c>NotBefore</c>, if any.</summary>
    public Instant? NotBefore { get; init; }

    /// <summary>Why the row is not settled (<see cref="SendOutcome.Retry"/>): keys, kinds and codes only.</summary>
    public string? Detail { get; init; }

    public static SendResult From(SendOutcome outcome, DeliveryRecord row) => new(outcome, row.Key, row.Status)
    {
        SkipReason = row.SkipReason,
        FailureReason = row.FailureReason,
        ProviderId = row.ProviderId,
        ErrorCode = row.ErrorCode,
        Segments = row.Segments,
        Attempt = row.Attempt,
        NotBefore = row.NotBefore,
    };
}

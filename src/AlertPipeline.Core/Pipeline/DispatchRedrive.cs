namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Poisoned dispatch messages (docs/reliability.md): a batch whose sender was killed or refused on every delivery goes to
/// <c>sms-dispatch-poison</c> / <c>email-dispatch-poison</c> and its rows would stay Pending or Sending for ever. A batch
/// is safe to run again (rows already done are skipped, Sending rows are reconciled with the provider before any resend),
/// so the ScheduleTick re-drives it, at most <see cref="PipelineOptions.DispatchRedriveBudget"/> times per dispatch id,
/// by the same budget rule as fan-out chunks (<see cref="FanOutRedrive.Decide"/>). A malformed message is bad input and
/// is never re-driven.
/// </summary>
public static class DispatchRedrive
{
    /// <summary>
    /// Whether a poison entry with <paramref name="deadLetterReason"/> may go back on its queue: one the host poisoned without
    /// a reason (null: killed on every dequeue), <see cref="DeadLetterReasons.TooManyDeliveries"/> or
    /// <see cref="DeadLetterReasons.AlertMissing"/>; never <see cref="DeadLetterReasons.MalformedMessage"/> or an unknown reason.
    /// </summary>
    public static bool IsRedrivable(string? deadLetterReason) =>
        deadLetterReason is null or DeadLetterReasons.TooManyDeliveries or DeadLetterReasons.AlertMissing;

    /// <summary>The broker's reason for a message dead-lettered at the queue's <c>MaxDeliveryCount</c> (abandoned or its lock lost every time).</summary>
    public const string MaxDeliveryCountExceeded = nameof(MaxDeliveryCountExceeded);

    /// <summary>The broker's reason for a message not consumed within the queue's time to live.</summary>
    public const string TtlExpired = "TTLExpiredException";

    /// <summary>
    /// Whether a Service Bus dead-lettered dispatch message with <paramref name="deadLetterReason"/> may go back on its queue:
    /// ours (<see cref="DeadLetterReasons.TooManyDeliveries"/>, <see cref="DeadLetterReasons.AlertMissing"/>) or the broker's
    /// for a batch that was never settled (<see cref="MaxDeliveryCountExceeded"/>, <see cref="TtlExpired"/>: another run skips
    /// rows whose alert has expired); never <see cref="DeadLetterReasons.MalformedMessage"/>, none or an unknown reason.
    /// </summary>
    public static bool IsRedrivableDeadLetter(string? deadLetterReason) =>
        deadLetterReason is DeadLetterReasons.TooManyDeliveries or DeadLetterReasons.AlertMissing or MaxDeliveryCountExceeded or TtlExpired;
}

namespace AlertPipeline.Core.Deliveries;

/// <summary>The result of applying an incoming status to a stored one.</summary>
/// <param name="Status">The status to store (the current one when nothing changed).</param>
/// <param name="Changed">Whether it differs from the current status, i.e. whether a write is needed.</param>
public readonly record struct DeliveryTransition(DeliveryStatus Status, bool Changed);

/// <summary>
/// The delivery state machine (invariant 4: statuses only move forward).
/// <code>
/// Pending ──► Sending ──► Sent ──► Delivered | Undelivered | Failed
///    │           ├──────────────► Delivered | Undelivered | Failed   (a callback overtook our own "Sent" write)
///    └──────────►┴──► Skipped                                        (opted out, expired… checked before or after claiming)
/// </code>
/// Decisions:
/// <list type="bullet">
/// <item>Terminal is terminal: Delivered, Undelivered, Failed and Skipped never change, even when Twilio reports
/// <c>delivered</c> after <c>undelivered</c> (rare; the first final report stands, and no resend follows either way).</item>
/// <item>No way back to Pending. A retryable send failure (Twilio 429, a timeout) leaves the row in Sending and the
/// dispatch message is retried; the retry must reconcile with the provider (was it accepted after all?) before sending
/// again, which is exactly what a crash after the provider accepted requires too. One path, no double send.</item>
/// <item>Duplicates (the same status again) and stale reports (e.g. <c>sent</c> after <c>delivered</c>) change nothing.</item>
/// </list>
/// </summary>
public static class DeliveryTransitions
{
    /// <summary>
    /// Whether a row in <paramref name="status"/> keeps the address (number or email) it is sent to: only while it may
    /// still be sent — Pending, and Sending, whose retry reconciles against the provider's messages to that number
    /// before any resend. Every later status (Sent, Delivered, Undelivered, Failed, Skipped) drops it: callbacks, opt-outs
    /// and reports work from the row key and the recipient hash.
    /// </summary>
    public static bool KeepsAddress(DeliveryStatus status) => status is DeliveryStatus.Pending or DeliveryStatus.Sending;

    public static bool IsTerminal(DeliveryStatus status) =>
        status is DeliveryStatus.Delivered or DeliveryStatus.Undelivered or DeliveryStatus.Failed or DeliveryStatus.Skipped;

    /// <summary>Whether a delivery may move from <paramref name="from"/> to <paramref name="to"/> (false for staying put).</summary>
    public static bool CanMove(DeliveryStatus from, DeliveryStatus to) => (from, to) switch
    {
        (DeliveryStatus.Pending, DeliveryStatus.Sending or DeliveryStatus.Skipped) => true,
        (DeliveryStatus.Sending, DeliveryStatus.Sent or DeliveryStatus.Delivered or DeliveryStatus.Undelivered
            or DeliveryStatus.Failed or DeliveryStatus.Skipped) => true,
        (DeliveryStatus.Sent, DeliveryStatus.Delivered or DeliveryStatus.Undelivered or DeliveryStatus.Failed) => true,
        _ => false,
    };

    /// <summary>
    /// Applies <paramref name="incoming"/> (from our own sender or a provider callback) to <paramref name="current"/>:
    /// the incoming status when the move is allowed, otherwise the current one unchanged.
    /// </summary>
    public static DeliveryTransition Apply(DeliveryStatus current, DeliveryStatus incoming) =>
        CanMove(current, incoming) ? new(incoming, true) : new(current, false);
}

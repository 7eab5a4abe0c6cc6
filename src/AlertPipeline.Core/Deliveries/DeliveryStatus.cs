namespace AlertPipeline.Core.Deliveries;

/// <summary>
/// Where one delivery (alert × channel × recipient) stands. Only moves forward: see <see cref="DeliveryTransitions"/>.
/// </summary>
public enum DeliveryStatus
{
    /// <summary>Written by fan-out; a dispatch message is on its way.</summary>
    Pending,

    /// <summary>Claimed by a sender, which is about to call (or has called) the provider. Outcome not yet known.</summary>
    Sending,

    /// <summary>The provider accepted the message (Twilio queued/accepted/sending/sent; SMTP 250).</summary>
    Sent,

    /// <summary>Terminal: the handset (or mailbox) confirmed it.</summary>
    Delivered,

    /// <summary>Terminal: the carrier could not deliver it (Twilio undelivered, e.g. 30003 unreachable).</summary>
    Undelivered,

    /// <summary>Terminal: it was never sent or the provider reported failure (permanent send error, Twilio failed).</summary>
    Failed,

    /// <summary>Terminal: deliberately not sent (see <see cref="SkipReason"/>).</summary>
    Skipped,
}

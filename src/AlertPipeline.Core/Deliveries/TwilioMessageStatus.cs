namespace AlertPipeline.Core.Deliveries;

/// <summary>
/// Maps Twilio message status strings (the create response's <c>status</c> and the callback's <c>MessageStatus</c>) to
/// ours. Matching is case-insensitive on the trimmed value.
/// <list type="table">
/// <item><term>queued, accepted, scheduled, sending, sent</term><description><see cref="DeliveryStatus.Sent"/>: Twilio has it.</description></item>
/// <item><term>delivered, read</term><description><see cref="DeliveryStatus.Delivered"/>.</description></item>
/// <item><term>undelivered, partially_delivered</term><description><see cref="DeliveryStatus.Undelivered"/> (not every part
/// is confirmed; we do not resend).</description></item>
/// <item><term>failed, canceled</term><description><see cref="DeliveryStatus.Failed"/>.</description></item>
/// <item><term>receiving, received, anything else</term><description>no mapping (inbound statuses or new values): ignore.</description></item>
/// </list>
/// </summary>
public static class TwilioMessageStatus
{
    public static DeliveryStatus? Map(string? twilioStatus) => twilioStatus?.Trim().ToLowerInvariant() switch
    {
        "queued" or "accepted" or "scheduled" or "sending" or "sent" => DeliveryStatus.Sent,
        "delivered" or "read" => DeliveryStatus.Delivered,
        "undelivered" or "partially_delivered" => DeliveryStatus.Undelivered,
        "failed" or "canceled" => DeliveryStatus.Failed,
        _ => null,
    };

    public static bool TryMap(string? twilioStatus, out DeliveryStatus status)
    {
        var mapped = Map(twilioStatus);
        status = mapped.GetValueOrDefault();
        return mapped.HasValue;
    }
}

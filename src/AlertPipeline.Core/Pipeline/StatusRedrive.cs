using System.Security.Cryptography;
using System.Text;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Poisoned status callbacks (docs/pipeline.md): an <c>sms-status</c> message whose every dequeue failed (a table outage,
/// an ETag race given up on, a worker killed) goes to <c>sms-status-poison</c>, and its row would keep its last status. A
/// status is forward-only and idempotent (a duplicate or an older status changes nothing), so the ScheduleTick puts it
/// back, at most <see cref="PipelineOptions.StatusRedriveBudget"/> times per status (<see cref="FanOutRedrive.Decide"/>).
/// A malformed message is bad input and is never re-driven.
/// </summary>
public static class StatusRedrive
{
    /// <summary>
    /// Whether a poisoned status with <paramref name="deadLetterReason"/> may go back on <c>sms-status</c>: one the host
    /// poisoned without a reason (null: the worker killed on every dequeue) or <see cref="DeadLetterReasons.TooManyDeliveries"/>;
    /// never <see cref="DeadLetterReasons.MalformedMessage"/> or an unknown reason.
    /// </summary>
    public static bool IsRedrivable(string? deadLetterReason) => deadLetterReason is null or DeadLetterReasons.TooManyDeliveries;

    /// <summary>
    /// The status's id within its alert: 32 hex of SHA-256 over reference, status, error code and message id (keys only), so
    /// Twilio's retries of one callback share one budget.
    /// </summary>
    public static string StatusId(StatusCallback callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var text = $"{callback.Reference}\n{callback.MessageStatus}\n{callback.ErrorCode}\n{callback.MessageSid}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }
}

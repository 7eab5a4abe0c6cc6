using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Persistence;
using Azure.Storage.Queues;

namespace AlertPipeline.Infrastructure.Pipeline;

/// <summary>
/// Re-drives poisoned status callbacks from <c>sms-status-poison</c> onto <c>sms-status</c> (<see cref="StatusRedrive"/>), at
/// most <see cref="PipelineOptions.StatusRedriveBudget"/> times per status, counted in <c>StatusRedrives</c> (PK alert id,
/// RK <see cref="StatusRedrive.StatusId"/>; <c>Reference</c> (the delivery key), <c>MessageStatus</c>, <c>Reason</c>,
/// <c>Redrives</c>, <c>GaveUp</c>, <c>UpdatedAt</c>: keys only, no union: the message names none). A poison message is the
/// consumer's <see cref="StatusPoisonEntry"/> (re-driven when <see cref="StatusRedrive.IsRedrivable"/> says so:
/// <c>TooManyDeliveries</c>) or the bare message the host poisoned after its last dequeue; what goes back is the message as
/// it was received, so it applies exactly as the original would have (forward only: a duplicate or an older status changes
/// nothing). A <c>MalformedMessage</c> entry (or an unknown reason, or a body that is not a status message) stays poisoned;
/// when it names a delivery key it is recorded once as <c>Kept</c> with its reason (RK: 32 hex of SHA-256 over the
/// poison message) so the alert's report counts it.
/// </summary>
/// <param name="statusQueue">The status queue (its poison queue is <c>{statusQueue}-poison</c>): <c>sms-status</c>; tests use their own.</param>
public sealed class StatusCallbackRedriver(
    QueueServiceClient queues, PipelineTables tables, PipelineOptions options, TimeProvider time,
    string statusQueue = QueueNames.SmsStatus, TimeSpan? lookAgainAfter = null)
    : PoisonQueueRedriver(queues, tables, time, PipelineTables.StatusRedrives, statusQueue, options.StatusRedriveBudget, lookAgainAfter)
{
    protected override PoisonedItem? Read(string text)
    {
        string? reason = null;
        string? reference = null;
        var body = text;
        StatusCallbackMessage? message = null;
        try
        {
            using (var document = JsonDocument.Parse(text))
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("deadLetterReason", out _))
                {
                    var entry = document.RootElement.Deserialize<StatusPoisonEntry>(JsonSerializerOptions.Web);
                    reason = entry?.DeadLetterReason ?? DeadLetterReasons.MalformedMessage;
                    reference = entry?.Reference;
                    body = entry?.Body ?? string.Empty;
                }
            }

            message = JsonSerializer.Deserialize<StatusCallbackMessage>(body, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            // Not a status message: kept below (bad input stays poisoned).
        }

        if (message is not null && StatusRedrive.IsRedrivable(reason) && message.TryParse(out var callback, out _))
        {
            var key = DeliveryKey.Parse(callback.Reference!);
            var columns = new Dictionary<string, object> { ["Reference"] = key.Value, ["MessageStatus"] = callback.MessageStatus! };
            if (reason is not null)
            {
                columns["Reason"] = reason;
            }

            return new PoisonedItem(key.AlertId.Value, StatusRedrive.StatusId(callback), body, columns);
        }

        // Not re-drivable: listed in its alert's report when it names a delivery key, otherwise only counted by the tick.
        if (!DeliveryKey.TryParse(reference ?? message?.Reference, out var named, out _))
        {
            return null;
        }

        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
        return new PoisonedItem(
            named.AlertId.Value, id, body, new Dictionary<string, object> { ["Reference"] = named.Value },
            KeptReason: reason is not null && !StatusRedrive.IsRedrivable(reason) ? reason : DeadLetterReasons.MalformedMessage);
    }
}

using System.Security.Cryptography;
using System.Text;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Handles one <c>alert-events</c> message: validates it, stores the alert once under its derived id, and plans one
/// chunk per subscribed (union, branch). Invalid events are recorded with every error and returned as
/// <see cref="FanOutOutcome.Rejected"/> (the function sends the body to the poison queue; no retry). An event already
/// expired is stored and nothing is dispatched. Re-handling the same event plans the same chunks (idempotent).
/// </summary>
public sealed class FanOutHandler(
    IMembershipReader membership, IAlertStore alerts, IRejectedEventLog rejections, AudienceResolver audience, TimeProvider time)
{
    public async Task<FanOutResult> HandleAsync(string body, string? messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var parsed = AlertEventParser.Parse(body);
        if (!parsed.TryGetValue(out var alertEvent))
        {
            return await RejectAsync(body, parsed.Errors, messageId, cancellationToken).ConfigureAwait(false);
        }

        if (await CheckReferencesAsync(alertEvent, cancellationToken).ConfigureAwait(false) is { } problem)
        {
            return await RejectAsync(body, [problem], messageId, cancellationToken).ConfigureAwait(false);
        }

        var now = time.Now();
        var alertId = AlertId.For(alertEvent);
        var record = new AlertRecord(alertId, alertEvent, now, alertEvent.IsExpiredAt(now));
        var added = await alerts.AddAsync(record, cancellationToken).ConfigureAwait(false);
        if (!added)
        {
            record = await alerts.GetAsync(alertId, cancellationToken).ConfigureAwait(false) ?? record;
        }

        if (record.ExpiredOnArrival || record.Event.IsExpiredAt(now))
        {
            return new FanOutResult(FanOutOutcome.Expired, alertId, !added, [], ValueList.Empty<ValidationError>());
        }

        var branches = await audience.ResolveAsync(record.Event, cancellationToken).ConfigureAwait(false);
        var chunks = branches.Select(b => new FanOutChunk(alertId, b.UnionId, b.BranchId, 0, null)).ToList();
        return new FanOutResult(FanOutOutcome.Accepted, alertId, !added, chunks, ValueList.Empty<ValidationError>());
    }

    private async Task<ValidationError?> CheckReferencesAsync(AlertEvent alertEvent, CancellationToken cancellationToken) =>
        alertEvent.TemplateRef is not null
            ? new ValidationError("$.templateRef", "stored template sets are not supported yet; send inline templates")
            : await membership.GetCampaignAsync(alertEvent.CampaignId, cancellationToken).ConfigureAwait(false) is null
                ? new ValidationError("$.campaignId", $"unknown campaign '{alertEvent.CampaignId}'")
                : null;

    private async Task<FanOutResult> RejectAsync(string body, IEnumerable<ValidationError> errors, string? messageId, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var list = ValueList.From(errors);
        var rejected = new RejectedEvent(Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, list, time.Now(), messageId);
        await rejections.RecordAsync(rejected, cancellationToken).ConfigureAwait(false);
        return new FanOutResult(FanOutOutcome.Rejected, null, false, [], list) { Rejection = rejected };
    }
}

public enum FanOutOutcome
{
    /// <summary>Stored (or found stored) and planned: one chunk per subscribed branch.</summary>
    Accepted,

    /// <summary>Stored, but its expiry has passed: nothing is dispatched.</summary>
    Expired,

    /// <summary>Invalid: recorded with its errors; the body belongs in the poison queue.</summary>
    Rejected,
}

/// <param name="AlreadyReceived">The alert was stored by an earlier message (a redelivery or a re-sent event).</param>
public sealed record FanOutResult(
    FanOutOutcome Outcome, AlertId? AlertId, bool AlreadyReceived, IReadOnlyList<FanOutChunk> Chunks, ValueList<ValidationError> Errors)
{
    public RejectedEvent? Rejection { get; init; }
}

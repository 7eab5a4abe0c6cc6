using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.Core.Pipeline;

/// <summary>A Twilio status callback's fields that matter to us (the webhook's signature is checked before).</summary>
/// <param name="Reference">Our delivery key, from the callback URL's <c>?ref=</c>.</param>
public sealed record StatusCallback(string? Reference, string? MessageStatus, string? ErrorCode, string? MessageSid);

/// <summary>
/// Applies a Twilio status callback to its delivery row: only forward (<see cref="DeliveryTransitions"/>), so duplicates
/// and out-of-order callbacks change nothing wrongly (invariant 4). Records the error code and its reason
/// (30003/30008 may succeed later, 30004–30007 are permanent; the row is terminal either way); 21610 also records the
/// opt-out, once: only a callback that moves the row records it, so a replay after the member opted back in changes nothing. An unknown reference or status is ignored (the webhook still answers 2xx, or Twilio would retry it), and so
/// is a callback whose MessageSid differs from the provider id the row recorded (a row without one yet takes it, and the
/// <see cref="IProviderIdIndex"/> records the SID as this row's: the callback URL we set names the row that created the
/// message, so a reconciliation of another alert's row with the same text cannot take it afterwards).
/// </summary>
public sealed class TwilioStatusCallbackHandler(IDeliveryStore deliveries, DeliveryClaims claims, IOptOutStore optOuts, IProviderIdIndex providerIds)
{
    public async Task<CallbackResult> HandleAsync(StatusCallback callback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (!DeliveryKey.TryParse(callback.Reference, out var key, out _) || key.Channel != Channel.Sms)
        {
            return new CallbackResult(CallbackOutcome.UnknownReference, null, null);
        }

        if (TwilioMessageStatus.Map(callback.MessageStatus) is not { } incoming)
        {
            return new CallbackResult(CallbackOutcome.IgnoredStatus, key, null);
        }

        var stored = await deliveries.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return new CallbackResult(CallbackOutcome.UnknownReference, key, null);
        }

        // Twilio brings no trace context: the alert's trace continues from the span that claimed the row for sending.
        using var activity = PipelineTelemetry.StartContinuation(PipelineTelemetry.Spans.StatusCallback, stored.Record.TraceParent);
        activity?.SetTag(PipelineTelemetry.Tags.AlertId, key.AlertId.Value);
        activity?.SetTag(PipelineTelemetry.Tags.DeliveryKey, key.Value);
        activity?.SetTag(PipelineTelemetry.Tags.Status, incoming.ToString());
        var result = await ApplyAsync(callback, key, incoming, stored, cancellationToken).ConfigureAwait(false);
        activity?.SetTag(PipelineTelemetry.Tags.Outcome, result.Outcome.ToString());
        return result;
    }

    private async Task<CallbackResult> ApplyAsync(StatusCallback callback, DeliveryKey key, DeliveryStatus incoming, StoredDelivery stored, CancellationToken cancellationToken)
    {

        // A callback about another message than the one this row recorded (a stale send, or a forged reference) changes nothing.
        if (stored.Record.ProviderId is { } providerId && !string.Equals(providerId, callback.MessageSid, StringComparison.Ordinal))
        {
            return new CallbackResult(CallbackOutcome.ProviderMismatch, key, stored.Record.Status);
        }

        var code = TwilioErrorCodes.Parse(callback.ErrorCode);
        if (code == 21610 && DeliveryTransitions.Apply(stored.Record.Status, incoming).Changed)
        {
            // Recorded before the row moves, and only while it has not: a retry after a failure here still finds the row
            // unmoved and records the opt-out then, while a replay of this callback after the member texted START finds
            // the row already moved and must not opt them out again.
            await optOuts.OptOutAsync(key.Recipient, Channel.Sms, OptOutSource.Twilio21610, claims.Now, cancellationToken).ConfigureAwait(false);
        }

        if (stored.Record.ProviderId is null && callback.MessageSid is { Length: > 0 } sid)
        {
            // Before the row takes it: a kill in between leaves the index right and the row to the next callback.
            await providerIds.RecordAsync(sid, key, cancellationToken).ConfigureAwait(false);
        }

        var failed = incoming is DeliveryStatus.Undelivered or DeliveryStatus.Failed;
        var now = claims.Now;
        var before = stored.Record.Status;
        var after = await claims.RecordResultAsync(stored, incoming, (row, moved) => !moved ? row with { ProviderId = row.ProviderId ?? callback.MessageSid } : row with
        {
            ProviderId = row.ProviderId ?? callback.MessageSid,
            SentAt = row.SentAt ?? now,
            ErrorCode = code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? row.ErrorCode,
            FailureReason = failed ? TwilioErrorCodes.ToReason(code) ?? FailureReason.ProviderReported : row.FailureReason,
        }, cancellationToken).ConfigureAwait(false);

        return new CallbackResult(after.Record.Status != before ? CallbackOutcome.Applied : CallbackOutcome.Unchanged, key, after.Record.Status)
        {
            FailureReason = after.Record.FailureReason,
        };
    }
}

public enum CallbackOutcome
{
    /// <summary>The row moved forward.</summary>
    Applied,

    /// <summary>A duplicate or a stale (out-of-order) callback: the row stayed where it was.</summary>
    Unchanged,

    /// <summary>The reference names no delivery row (or none at all).</summary>
    UnknownReference,

    /// <summary>A status we do not track (receiving, received, new values).</summary>
    IgnoredStatus,

    /// <summary>The callback's MessageSid is not the provider id the row recorded: ignored (and logged).</summary>
    ProviderMismatch,
}

public sealed record CallbackResult(CallbackOutcome Outcome, DeliveryKey? Key, DeliveryStatus? Status)
{
    public FailureReason? FailureReason { get; init; }
}

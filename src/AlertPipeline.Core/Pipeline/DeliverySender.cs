using System.Security.Cryptography;
using System.Text;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;
using NodaTime;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// The sending discipline shared by SMS and email (invariants 1, 3, 4). For one dispatch message:
/// <list type="number">
/// <item>read the row, waiting (bounded) while another sender holds a fresh claim; nothing to do unless it is Pending or Sending;
/// a Pending row whose <c>NotBefore</c> (quiet hours) is still ahead is left alone (<see cref="SendOutcome.Deferred"/>);</item>
/// <item>a Sending row (released, or its claim stale: the sender died or the outcome was unknown) is first reconciled
/// with the provider — if our message is there it is recorded, never sent twice;</item>
/// <item>expired → Skipped Expired; opted out → Skipped OptedOut; unrenderable → Skipped TemplateError;</item>
/// <item>claim it with the ETag read (Pending/Sending → Sending, Attempt + 1); a lost race (412) sends nothing;</item>
/// <item>send and record the result; a failure that sent nothing releases the claim, an unknown outcome keeps it, and both
/// throw <see cref="PipelineRetryException"/> so the message comes back and step 2 decides.</item>
/// </list>
/// </summary>
public abstract class DeliverySender(DeliveryClaims claims, PipelineLookups lookups, MessageComposer composer, IOptOutStore optOuts)
{
    protected DeliveryClaims Claims => claims;

    protected abstract Channel Channel { get; }

    public async Task<SendResult> HandleAsync(DeliveryKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Channel != Channel)
        {
            throw new ArgumentException($"Delivery {key} is not a {Channel} delivery.", nameof(key));
        }

        var stored = await claims.LoadAsync(key, cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.Record.Status is not (DeliveryStatus.Pending or DeliveryStatus.Sending))
        {
            return stored is null ? new SendResult(SendOutcome.NotFound, key, null) : SendResult.From(SendOutcome.AlreadyDone, stored.Record);
        }

        if (stored.Record.Status == DeliveryStatus.Pending && stored.Record.NotBefore is { } notBefore && notBefore > claims.Now)
        {
            // Quiet hours: too early (a duplicate or early dispatch). The ScheduleTick releases the row when it is due.
            return SendResult.From(SendOutcome.Deferred, stored.Record);
        }

        var alert = await lookups.GetAlertAsync(key.AlertId, cancellationToken).ConfigureAwait(false)
                    ?? throw new PipelineRetryException($"Alert {key.AlertId} of delivery {key} is not stored.");
        if (stored.Record.Status == DeliveryStatus.Sending && await FindSentAsync(stored.Record, cancellationToken).ConfigureAwait(false) is { } found)
        {
            return await RecordFoundAsync(stored, found, cancellationToken).ConfigureAwait(false);
        }

        var composition = await SkipReasonAsync(stored.Record, alert, cancellationToken).ConfigureAwait(false) is { } reason
            ? Composition.Skip(reason, reason.ToString())
            : await composer.ComposeAsync(stored.Record, alert, cancellationToken).ConfigureAwait(false);
        if (composition.SkipReason is { } skip)
        {
            var skipped = await claims.TryMoveAsync(stored, DeliveryStatus.Skipped, r => r with { SkipReason = skip }, cancellationToken).ConfigureAwait(false);
            return skipped is null ? new SendResult(SendOutcome.ClaimLost, key, null) : SendResult.From(SendOutcome.Skipped, skipped.Record);
        }

        await BeforeClaimAsync(stored.Record, alert, cancellationToken).ConfigureAwait(false);
        var claimed = await claims.ClaimAsync(stored, r => Describe(r, composition), cancellationToken).ConfigureAwait(false);
        return claimed is null
            ? new SendResult(SendOutcome.ClaimLost, key, null)
            : await SendAsync(claimed, composition, alert, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The provider's record of an earlier attempt's message, or null (the default: the channel cannot tell).</summary>
    protected virtual Task<ProviderMessage?> FindSentAsync(DeliveryRecord row, CancellationToken cancellationToken) =>
        Task.FromResult<ProviderMessage?>(null);

    /// <summary>Bookkeeping that must succeed before the claim (a failure here leaves the row unclaimed, so the retry is clean).</summary>
    protected virtual Task BeforeClaimAsync(DeliveryRecord row, AlertRecord alert, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The claimed row's description of what is about to be sent (language, body hash, segments).</summary>
    protected abstract DeliveryRecord Describe(DeliveryRecord row, Composition composition);

    protected abstract Task<SendResult> SendAsync(StoredDelivery claimed, Composition composition, AlertRecord alert, CancellationToken cancellationToken);

    protected async Task<SendResult> SentAsync(StoredDelivery claimed, string providerId, CancellationToken cancellationToken)
    {
        var now = claims.Now;
        var stored = await claims.RecordResultAsync(
            claimed, DeliveryStatus.Sent, (r, _) => r with { ProviderId = r.ProviderId ?? providerId, SentAt = r.SentAt ?? now }, cancellationToken).ConfigureAwait(false);
        return SendResult.From(SendOutcome.Sent, stored.Record);
    }

    /// <summary>Maps a provider failure: permanent ones end the delivery, the others fail the invocation (retry reconciles).</summary>
    protected async Task<SendResult> FailedAsync(StoredDelivery claimed, ChannelSendException failure, FailureReason invalidRecipient, CancellationToken cancellationToken)
    {
        var key = claimed.Record.Key;
        if (failure.Kind is ChannelFailureKind.Transient or ChannelFailureKind.Configuration)
        {
            _ = await claims.ReleaseAsync(claimed, cancellationToken).ConfigureAwait(false);
            throw new PipelineRetryException($"Delivery {key}: {failure.Kind} failure (code {failure.ProviderCode}), nothing was sent; retry later.", failure);
        }

        if (failure.Kind == ChannelFailureKind.OutcomeUnknown)
        {
            throw new PipelineRetryException($"Delivery {key}: outcome unknown (code {failure.ProviderCode}); the retry reconciles before any resend.", failure);
        }

        if (failure.Kind == ChannelFailureKind.OptedOut)
        {
            await optOuts.OptOutAsync(key.Recipient, Channel, Channel == Channel.Sms ? OptOutSource.Twilio21610 : OptOutSource.Unsubscribe, claims.Now, cancellationToken).ConfigureAwait(false);
        }

        var reason = failure.Kind == ChannelFailureKind.OptedOut ? FailureReason.OptedOut
            : TwilioErrorCodes.ToReason(TwilioErrorCodes.Parse(failure.ProviderCode)) is { } known && Channel == Channel.Sms ? known
            : failure.Kind == ChannelFailureKind.InvalidRecipient ? invalidRecipient
            : FailureReason.Rejected;
        var stored = await claims.RecordResultAsync(
            claimed, DeliveryStatus.Failed, (r, moved) => moved ? r with { FailureReason = reason, ErrorCode = failure.ProviderCode } : r, cancellationToken).ConfigureAwait(false);
        return SendResult.From(SendOutcome.Failed, stored.Record);
    }

    protected static string HashBody(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    private async Task<SkipReason?> SkipReasonAsync(DeliveryRecord row, AlertRecord alert, CancellationToken cancellationToken) =>
        alert.Event.IsExpiredAt(claims.Now + Duration.FromSeconds(1)) ? SkipReason.Expired
        : await optOuts.IsOptedOutAsync(row.Key.Recipient, Channel, cancellationToken).ConfigureAwait(false) ? SkipReason.OptedOut
        : null;

    private async Task<SendResult> RecordFoundAsync(StoredDelivery stored, ProviderMessage found, CancellationToken cancellationToken)
    {
        var status = TwilioMessageStatus.Map(found.Status) ?? DeliveryStatus.Sent;
        var now = claims.Now;
        var moved = await claims.TryMoveAsync(stored, status, r => r with
        {
            ProviderId = found.ProviderId,
            SentAt = r.SentAt ?? now,
            FailureReason = status is DeliveryStatus.Failed or DeliveryStatus.Undelivered ? FailureReason.ProviderReported : null,
        }, cancellationToken).ConfigureAwait(false);
        return moved is null ? new SendResult(SendOutcome.ClaimLost, stored.Record.Key, null) : SendResult.From(SendOutcome.Reconciled, moved.Record);
    }
}

/// <summary>A message the provider holds (found by reconciliation).</summary>
public sealed record ProviderMessage(string ProviderId, string Status);

using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Core.Ports;
using NodaTime;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Handles one <c>sms-dispatch</c> message (see <see cref="DeliverySender"/> for the discipline). Renders in the contact's
/// language, stores the encoding and segment count (<see cref="SmsEncoder"/>), records the campaign for HELP replies,
/// and sends with the delivery key as reference (carried to the status callback as <c>?ref=</c>) and a validity period
/// that ends at the alert's expiry. Reconciliation matches the provider's messages to our body by its SHA-256.
/// Pacing to the sender's rate happens in the gateway (<c>SendPacer</c>).
/// </summary>
public sealed class SendSmsHandler(
    DeliveryClaims claims,
    PipelineLookups lookups,
    MessageComposer composer,
    IOptOutStore optOuts,
    IRecipientIndex recipients,
    ISmsGateway gateway,
    PipelineOptions pipelineOptions)
    : DeliverySender(claims, lookups, composer, optOuts, pipelineOptions)
{
    protected override Channel Channel => Channel.Sms;

    protected override FailureReason InvalidRecipient => FailureReason.InvalidNumber;

    protected override async Task<ProviderMessage?> FindSentAsync(DeliveryRecord row, CancellationToken cancellationToken)
    {
        if (row.Address is null || row.BodyHash is null)
        {
            return null;
        }

        var since = (row.FirstClaimedAt ?? row.CreatedAt) - Duration.FromTimeSpan(Options.ReconcileSkew);
        await foreach (var sent in gateway.FindSentAsync(row.Address, since.ToDateTimeOffset(), cancellationToken).ConfigureAwait(false))
        {
            if (sent.Body is not null && HashBody(sent.Body) == row.BodyHash)
            {
                return new ProviderMessage(sent.ProviderId, sent.Status);
            }
        }

        return null;
    }

    protected override DeliveryRecord Describe(DeliveryRecord row, Composition composition)
    {
        var body = composition.Message!.Sms!;
        var analysis = SmsEncoder.Analyze(body);
        return row with { Language = composition.Message.Language, Encoding = analysis.Encoding, Segments = analysis.Segments, BodyHash = HashBody(body) };
    }

    /// <summary>Remembers the campaign for HELP replies before the claim (one write for the batch), so a failure here cannot strand a claimed row.</summary>
    protected override Task BeforeClaimAsync(IReadOnlyList<DeliveryRecord> rows, AlertRecord alert, CancellationToken cancellationToken) =>
        recipients.RecordLastCampaignAsync([.. rows.Select(r => r.Key.Recipient)], alert.Event.CampaignId, Claims.Now, cancellationToken);

    protected override async Task<string> SendAsync(DeliveryRecord claimed, Composition composition, AlertRecord alert, CancellationToken cancellationToken)
    {
        // At least a second was left when the row was checked; never ask the provider for less than its minimum.
        var validity = TimeSpan.FromTicks(Math.Max((alert.Event.ExpiresAt - Claims.Now).ToTimeSpan().Ticks, TimeSpan.TicksPerSecond));
        var request = new SmsSendRequest(claimed.Address!, composition.Message!.Sms!, claimed.Key.Value, validity);
        var result = await gateway.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return result.ProviderId;
    }
}

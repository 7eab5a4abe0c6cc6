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
/// that ends at the alert's expiry. Reconciliation matches the provider's messages to our body by its SHA-256, accepts
/// only a message created while the reconciled claim was live (from the claim to <see cref="PipelineOptions.StuckSendingAfter"/>
/// later), and only one that no other delivery owns
/// (<see cref="IProviderIdIndex"/>: two alerts with the same text to one member must not take each other's message).
/// Pacing to the sender's rate happens in the gateway (<c>SendPacer</c>).
/// </summary>
public sealed class SendSmsHandler(
    DeliveryClaims claims,
    PipelineLookups lookups,
    MessageComposer composer,
    IOptOutStore optOuts,
    IRecipientIndex recipients,
    ISmsGateway gateway,
    IProviderIdIndex providerIds,
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

        var firstClaim = row.FirstClaimedAt ?? row.CreatedAt;
        var since = firstClaim - Duration.FromTimeSpan(Options.ReconcileSkew);
        // Only the claim being reconciled can have a message: each earlier claim was either released (nothing sent) or
        // reconciled to nothing before this one was taken. Its message was created during its send: from the claim (to
        // the second) until the claim went stale.
        var claim = row.ClaimedAt ?? firstClaim;
        var earliest = EarliestCreation(claim);
        var latest = (claim + Duration.FromTimeSpan(Options.StuckSendingAfter)).ToDateTimeOffset();
        var candidates = new List<SmsSentRecord>();
        await foreach (var sent in gateway.FindSentAsync(row.Address, since.ToDateTimeOffset(), cancellationToken).ConfigureAwait(false))
        {
            if (sent.Body is not null && HashBody(sent.Body) == row.BodyHash && sent.CreatedAt is { } created && created >= earliest && created <= latest)
            {
                candidates.Add(sent);
            }
        }

        // A message this row's own send was answered with (recorded before a kill cut the row's update) is this row's,
        // whichever is older: another alert's message with the same text, sent at the same kill, may be older and not yet
        // recorded by its row. Only then, oldest first (the provider lists newest first): a send follows its claim, so the
        // first matching message after the claim is this row's own; another alert's, sent later, is left to its own row.
        var ordered = candidates.OrderBy(c => c.CreatedAt).ToList();
        if (ordered.Count > 1)
        {
            foreach (var sent in ordered)
            {
                if (await providerIds.FindOwnerAsync(sent.ProviderId, cancellationToken).ConfigureAwait(false) == row.Key.Value)
                {
                    return new ProviderMessage(sent.ProviderId, sent.Status);
                }
            }
        }

        foreach (var sent in ordered)
        {
            // Same number, same text, after our first claim: ours unless another delivery (another alert with the same
            // text) owns that message already. The claim is an insert, so of two rows reconciling at once one wins.
            if (await providerIds.ClaimAsync(sent.ProviderId, row.Key, cancellationToken).ConfigureAwait(false) == row.Key.Value)
            {
                return new ProviderMessage(sent.ProviderId, sent.Status);
            }
        }

        return null;
    }

    /// <summary>
    /// The earliest creation time a message of ours can have: the first claim (written before any send), truncated to the
    /// whole second because Twilio's <c>date_created</c> (RFC 2822) has no fractions.
    /// </summary>
    public static DateTimeOffset EarliestCreation(Instant firstClaim)
    {
        var at = firstClaim.ToDateTimeOffset();
        return at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond));
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

    protected override async Task<string> SendAsync(
        DeliveryRecord claimed, Composition composition, AlertRecord alert, Func<CancellationToken, Task> beforeHandover, CancellationToken cancellationToken)
    {
        // At least a second was left when the row was checked; never ask the provider for less than its minimum.
        var validity = TimeSpan.FromTicks(Math.Max((alert.Event.ExpiresAt - Claims.Now).ToTimeSpan().Ticks, TimeSpan.TicksPerSecond));
        var request = new SmsSendRequest(claimed.Address!, composition.Message!.Sms!, claimed.Key.Value, validity) { BeforeSend = beforeHandover };
        var result = await gateway.SendAsync(request, cancellationToken).ConfigureAwait(false);
        // The answer makes this row the message's owner; a failure here leaves the row Sending, and its reconciliation
        // claims the message then.
        await providerIds.RecordAsync(result.ProviderId, claimed.Key, cancellationToken).ConfigureAwait(false);
        return result.ProviderId;
    }
}

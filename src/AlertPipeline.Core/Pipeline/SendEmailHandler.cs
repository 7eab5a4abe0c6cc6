using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Handles one <c>email-dispatch</c> message with the same claim discipline as SMS (<see cref="DeliverySender"/>). SMTP
/// offers no way to ask what was delivered, and the rule is never the same alert twice: each claimed row is marked
/// (<see cref="DeliveryRecord.HandedOverAt"/>) by the gateway once the message's body is written into the SMTP data,
/// just before the end of data (<see cref="EmailSendRequest.BeforeHandover"/>); a send whose outcome is unknown (the connection
/// broke after the whole message was written) is recorded Sent <see cref="DeliveryRecord.Unconfirmed"/> and not re-sent;
/// a stale claim with the mark is recorded the same way, one without it (nothing was handed over) is re-sent. The
/// handovers in flight (mark requested, end of data not yet answered: what a kill of the worker loses) are bounded by
/// <see cref="HandoverGate"/>; a stopping worker begins none. Every send
/// of one delivery carries the same Message-ID (derived from the delivery key).
/// <c>List-Unsubscribe</c> carries <see cref="PipelineOptions.EmailUnsubscribeBaseUrl"/><c>?ref={deliveryKey}</c> and
/// <see cref="PipelineOptions.EmailUnsubscribeMailto"/> when configured.
/// </summary>
public sealed class SendEmailHandler(
    DeliveryClaims claims,
    PipelineLookups lookups,
    MessageComposer composer,
    IOptOutStore optOuts,
    IEmailGateway gateway,
    PipelineOptions pipelineOptions,
    HandoverGate handoverGate)
    : DeliverySender(claims, lookups, composer, optOuts, pipelineOptions)
{
    protected override Channel Channel => Channel.Email;

    protected override FailureReason InvalidRecipient => FailureReason.InvalidAddress;

    protected override bool SettlesUnknownAsUnconfirmed => true;

    /// <summary>At most <see cref="PipelineOptions.EmailHandoversInFlight"/> emails of this worker between the mark's request and the end of data's reply.</summary>
    protected override HandoverGate HandoverGate => handoverGate;

    /// <summary>A stale claim (its sender died or gave up) that had begun the handover may have been delivered: Sent, unconfirmed.</summary>
    protected override Task<ProviderMessage?> FindSentAsync(DeliveryRecord row, CancellationToken cancellationToken) =>
        Task.FromResult(row.HandedOverAt is not null && !row.Released
            ? new ProviderMessage(null, "sent", UnconfirmedReasons.SmtpSenderStopped)
            : null);

    protected override DeliveryRecord Describe(DeliveryRecord row, Composition composition)
    {
        var email = composition.Message!.Email!;
        return row with { Language = composition.Message.Language, BodyHash = HashBody(email.Subject + "\n" + email.Text) };
    }

    protected override async Task<string> SendAsync(
        DeliveryRecord row, Composition composition, AlertRecord alert, Func<CancellationToken, Task> beforeHandover, CancellationToken cancellationToken)
    {
        var email = composition.Message!.Email!;
        var unsubscribe = Options.EmailUnsubscribeBaseUrl is { } baseUrl
            ? new Uri($"{baseUrl.AbsoluteUri}?ref={Uri.EscapeDataString(row.Key.Value)}")
            : null;
        EmailSendRequest request;
        try
        {
            request = new EmailSendRequest(
                row.Address!, email.Subject, email.Text, row.Key.Value, email.Html, unsubscribe, NullIfBlank(Options.EmailUnsubscribeMailto), composition.Contact!.Name)
            {
                BeforeHandover = beforeHandover,
            };
        }
        catch (ArgumentException ex)
        {
            // Refused before sending: the gateway's stricter address rules (as if the server refused it), or a header it will not write.
            var kind = ex.ParamName == "to" ? ChannelFailureKind.InvalidRecipient : ChannelFailureKind.Permanent;
            throw new EmailSendException(kind, null, $"The message was refused before sending ({ex.ParamName}).", ex);
        }

        var result = await gateway.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return result.ProviderId;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

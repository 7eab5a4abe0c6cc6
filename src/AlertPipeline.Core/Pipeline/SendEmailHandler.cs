using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Handles one <c>email-dispatch</c> message with the same claim discipline as SMS (<see cref="DeliverySender"/>). SMTP
/// offers no way to ask what was delivered, so a stale claim is re-sent; the gateway gives every send of one delivery
/// the same Message-ID (derived from the delivery key), which lets mail systems collapse such a duplicate.
/// <c>List-Unsubscribe</c> carries <see cref="PipelineOptions.EmailUnsubscribeBaseUrl"/><c>?ref={deliveryKey}</c> and
/// <see cref="PipelineOptions.EmailUnsubscribeMailto"/> when configured.
/// </summary>
public sealed class SendEmailHandler(
    DeliveryClaims claims,
    PipelineLookups lookups,
    MessageComposer composer,
    IOptOutStore optOuts,
    IEmailGateway gateway,
    PipelineOptions pipelineOptions)
    : DeliverySender(claims, lookups, composer, optOuts, pipelineOptions)
{
    protected override Channel Channel => Channel.Email;

    protected override FailureReason InvalidRecipient => FailureReason.InvalidAddress;

    protected override DeliveryRecord Describe(DeliveryRecord row, Composition composition)
    {
        var email = composition.Message!.Email!;
        return row with { Language = composition.Message.Language, BodyHash = HashBody(email.Subject + "\n" + email.Text) };
    }

    protected override async Task<string> SendAsync(DeliveryRecord row, Composition composition, AlertRecord alert, CancellationToken cancellationToken)
    {
        var email = composition.Message!.Email!;
        var unsubscribe = Options.EmailUnsubscribeBaseUrl is { } baseUrl
            ? new Uri($"{baseUrl.AbsoluteUri}?ref={Uri.EscapeDataString(row.Key.Value)}")
            : null;
        EmailSendRequest request;
        try
        {
            request = new EmailSendRequest(
                row.Address!, email.Subject, email.Text, row.Key.Value, email.Html, unsubscribe, NullIfBlank(Options.EmailUnsubscribeMailto), composition.Contact!.Name);
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

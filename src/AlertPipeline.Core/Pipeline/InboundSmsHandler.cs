using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.OptOut;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Handles an inbound SMS (after the webhook's signature check): STOP-family keywords opt the number out (of every
/// union: docs/storage.md), START-family opt it back in, HELP-family get the help line of the campaign that last messaged
/// the number (or <see cref="PipelineOptions.DefaultHelpText"/>). Returns the reply text, or null for no reply: Twilio
/// answers its own English STOP/START keywords itself, so we confirm only the Russian ones (docs/domain.md).
/// </summary>
public sealed class InboundSmsHandler(
    IOptOutStore optOuts, IRecipientIndex recipients, PipelineLookups lookups, RecipientHasher hasher, PipelineOptions options, TimeProvider time)
{
    public const string OptOutConfirmationRu = "Вы отписались от сообщений. Чтобы снова получать их, отправьте СТАРТ.";
    public const string OptInConfirmationRu = "Вы снова подписаны на сообщения. Чтобы отписаться, отправьте СТОП.";

    public async Task<InboundResult> HandleAsync(string? from, string? body, CancellationToken cancellationToken)
    {
        var keyword = OptOutKeywords.Classify(body);
        var masked = Redact.Phone(from);
        if (keyword == InboundKeyword.None)
        {
            return new InboundResult(keyword, masked, null);
        }

        if (!PhoneNumber.TryParse(from, null, out var phone, out var error))
        {
            return new InboundResult(keyword, masked, null) { Problem = error.Describe() };
        }

        var recipient = hasher.Hash(phone);
        var ours = !body!.Trim().All(char.IsAscii);
        switch (keyword)
        {
            case InboundKeyword.OptOut:
                await optOuts.OptOutAsync(recipient, Channel.Sms, OptOutSource.Keyword, time.Now(), cancellationToken).ConfigureAwait(false);
                return new InboundResult(keyword, masked, ours ? OptOutConfirmationRu : null);
            case InboundKeyword.OptIn:
                await optOuts.OptInAsync(recipient, Channel.Sms, cancellationToken).ConfigureAwait(false);
                return new InboundResult(keyword, masked, ours ? OptInConfirmationRu : null);
            default:
                return new InboundResult(keyword, masked, await HelpTextAsync(recipient, cancellationToken).ConfigureAwait(false));
        }
    }

    private async Task<string> HelpTextAsync(RecipientHash recipient, CancellationToken cancellationToken)
    {
        var campaignId = await recipients.GetLastCampaignAsync(recipient, cancellationToken).ConfigureAwait(false);
        var campaign = campaignId is null ? null : await lookups.GetCampaignAsync(campaignId, cancellationToken).ConfigureAwait(false);
        return campaign?.HelpContact ?? options.DefaultHelpText;
    }
}

/// <param name="MaskedFrom">The sender's number masked for logs (never the full number).</param>
/// <param name="Reply">The reply text (plain; the webhook escapes it into TwiML), or null for an empty response.</param>
public sealed record InboundResult(InboundKeyword Keyword, string MaskedFrom, string? Reply)
{
    /// <summary>Why nothing was recorded (e.g. the sender's number was unreadable); safe to log.</summary>
    public string? Problem { get; init; }
}

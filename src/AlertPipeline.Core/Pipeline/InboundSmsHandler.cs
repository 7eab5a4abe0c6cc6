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
    IOptOutStore optOuts, IRecipientIndex recipients, IInboundMessageLog handled, PipelineLookups lookups, RecipientHasher hasher,
    PipelineOptions options, TimeProvider time)
{
    public const string OptOutConfirmationRu = "Вы отписались от сообщений. Чтобы снова получать их, отправьте СТАРТ.";
    public const string OptInConfirmationRu = "Вы снова подписаны на сообщения. Чтобы отписаться, отправьте СТОП.";

    /// <param name="messageSid">Twilio's id of the inbound message (<c>SM…</c>): STOP and START are applied once per id
    /// (checked, applied, then recorded in <see cref="IInboundMessageLog"/>), and only with a well-formed id.</param>
    public async Task<InboundResult> HandleAsync(string? messageSid, string? from, string? body, CancellationToken cancellationToken)
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
        if (keyword == InboundKeyword.Help)
        {
            return new InboundResult(keyword, masked, await HelpTextAsync(recipient, cancellationToken).ConfigureAwait(false));
        }

        if (!IsMessageSid(messageSid))
        {
            return new InboundResult(keyword, masked, null) { Problem = "no valid MessageSid, so the keyword was not applied" };
        }

        // A replay of a message already applied (the same MessageSid) must not undo what came after it.
        if (await handled.WasHandledAsync(messageSid!, cancellationToken).ConfigureAwait(false))
        {
            return new InboundResult(keyword, masked, null) { Problem = $"message {messageSid} was handled before (a replay): nothing changed" };
        }

        var ours = !body!.Trim().All(char.IsAscii);
        string? reply;
        if (keyword == InboundKeyword.OptOut)
        {
            await optOuts.OptOutAsync(recipient, Channel.Sms, OptOutSource.Keyword, time.Now(), cancellationToken).ConfigureAwait(false);
            reply = ours ? OptOutConfirmationRu : null;
        }
        else
        {
            await optOuts.OptInAsync(recipient, Channel.Sms, cancellationToken).ConfigureAwait(false);
            reply = ours ? OptInConfirmationRu : null;
        }

        await handled.RecordHandledAsync(messageSid!, keyword, time.Now(), cancellationToken).ConfigureAwait(false);
        return new InboundResult(keyword, masked, reply);
    }

    /// <summary>Whether <paramref name="value"/> has the shape of a Twilio message id: two capital letters and 32 hex digits.</summary>
    public static bool IsMessageSid(string? value) =>
        value is { Length: 34 } && char.IsAsciiLetterUpper(value[0]) && char.IsAsciiLetterUpper(value[1]) && !value.AsSpan(2).ContainsAnyExcept(HexDigits);

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

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

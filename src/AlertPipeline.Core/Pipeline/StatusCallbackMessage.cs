using System.Diagnostics.CodeAnalysis;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// The JSON of an <c>sms-status</c> message: <c>{"reference","messageStatus","errorCode","messageSid","receivedAt"}</c>, a
/// signed Twilio status callback the webhook accepted, as <see cref="TwilioStatusCallbackHandler"/> needs it and nothing
/// more (Twilio's <c>To</c>, <c>From</c>, account and service ids are not kept: no phone number is ever queued). Built only
/// by <see cref="TryAccept"/>, so every queued message names an SMS delivery key and a status we track; its consumer checks
/// that again (<see cref="TryParse"/>), since a queue holds whatever anyone put there.
/// No field is named <c>Id</c>, <c>DequeueCount</c> or <c>MessageId</c> (the Functions host merges top-level fields into
/// trigger metadata).
/// </summary>
/// <param name="Reference">The delivery key from the callback URL's <c>?ref=</c> (alert id, channel, recipient hash).</param>
/// <param name="MessageStatus">Twilio's <c>MessageStatus</c>, lower case, one <see cref="TwilioMessageStatus"/> maps.</param>
/// <param name="ErrorCode">Twilio's <c>ErrorCode</c> when it is a number, otherwise null.</param>
/// <param name="MessageSid">Twilio's <c>MessageSid</c> when it looks like an id (letters, digits, '-' and '_', at most
/// <see cref="MaxMessageSidLength"/> characters), otherwise null.</param>
/// <param name="ReceivedAt">When the webhook accepted it (for logs: how long it waited on the queue).</param>
public sealed record StatusCallbackMessage(string? Reference, string? MessageStatus, string? ErrorCode, string? MessageSid, DateTimeOffset? ReceivedAt)
{
    /// <summary>The longest MessageSid kept (Twilio's are 34 characters).</summary>
    public const int MaxMessageSidLength = 64;

    /// <summary>
    /// The message to queue for a signed callback, or, when there is nothing to apply, null with the outcome the webhook
    /// reports (<see cref="CallbackOutcome.UnknownReference"/>: not an SMS delivery key; <see cref="CallbackOutcome.IgnoredStatus"/>:
    /// a status we do not track). Needs no storage: whether the row exists is the consumer's question.
    /// </summary>
    public static StatusCallbackMessage? TryAccept(StatusCallback callback, DateTimeOffset receivedAt, out CallbackOutcome ignored)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (!DeliveryKey.TryParse(callback.Reference, out var key, out _) || key.Channel != Channel.Sms)
        {
            ignored = CallbackOutcome.UnknownReference;
            return null;
        }

        if (TwilioMessageStatus.Map(callback.MessageStatus) is null)
        {
            ignored = CallbackOutcome.IgnoredStatus;
            return null;
        }

        ignored = default;
        var code = TwilioErrorCodes.Parse(callback.ErrorCode);
        return new StatusCallbackMessage(
            key.Value,
            callback.MessageStatus!.Trim().ToLowerInvariant(),
            code?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            IsIdLike(callback.MessageSid) ? callback.MessageSid : null,
            receivedAt);
    }

    /// <summary>The callback to apply, or the first field that is wrong (named, never quoted: a queue message may hold anything).</summary>
    public bool TryParse([NotNullWhen(true)] out StatusCallback? callback, [NotNullWhen(false)] out string? error)
    {
        callback = null;
        if (!DeliveryKey.TryParse(Reference, out var key, out var keyError))
        {
            error = "status message: reference: " + keyError;
            return false;
        }

        if (key.Channel != Channel.Sms)
        {
            error = "status message: reference must be an SMS delivery key";
            return false;
        }

        if (TwilioMessageStatus.Map(MessageStatus) is null)
        {
            error = "status message: messageStatus must be a Twilio message status we track";
            return false;
        }

        if (ErrorCode is not null && TwilioErrorCodes.Parse(ErrorCode) is null)
        {
            error = "status message: errorCode must be a number";
            return false;
        }

        if (MessageSid is not null && !IsIdLike(MessageSid))
        {
            error = $"status message: messageSid must be letters, digits, '-' or '_', at most {MaxMessageSidLength} characters";
            return false;
        }

        callback = new StatusCallback(key.Value, MessageStatus, ErrorCode, MessageSid);
        error = null;
        return true;
    }

    private static bool IsIdLike(string? value) =>
        value is { Length: > 0 and <= MaxMessageSidLength } && !value.AsSpan().ContainsAnyExcept(IdCharacters);

    private static readonly System.Buffers.SearchValues<char> IdCharacters =
        System.Buffers.SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_");
}

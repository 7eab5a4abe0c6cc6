using System.Globalization;
using System.Text.RegularExpressions;
using AlertPipeline.Core.Common;
using AlertPipeline.Infrastructure.Channels;

namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>One message to create, validated when built. <see cref="ToString"/> masks the recipient and omits the body.</summary>
public sealed partial record TwilioSendRequest
{
    public const int MaxBodyLength = 1600;
    public const int MinValiditySeconds = 1;
    public const int MaxValiditySeconds = 36000;

    /// <param name="to">The recipient in E.164 (<c>+</c>, country code, number; at most 15 digits).</param>
    /// <param name="body">1..1600 characters.</param>
    /// <param name="from">The sender number; exactly one of this and <paramref name="messagingServiceSid"/>.</param>
    /// <param name="messagingServiceSid"><c>MG</c> + 32 hex digits.</param>
    /// <param name="statusCallback">Where Twilio POSTs status changes (absolute http(s) URL).</param>
    /// <param name="validityPeriodSeconds">1..36000 seconds; see <see cref="ClampValidity"/>.</param>
    public TwilioSendRequest(
        string to,
        string body,
        string? from = null,
        string? messagingServiceSid = null,
        Uri? statusCallback = null,
        int? validityPeriodSeconds = null)
    {
        if (string.IsNullOrWhiteSpace(to) || !E164().IsMatch(to))
        {
            throw new ArgumentException($"To ({Redact.Phone(to)}) is not an E.164 number ('+' and 7 to 15 digits).", nameof(to));
        }

        if (string.IsNullOrEmpty(body))
        {
            throw new ArgumentException("Body is empty.", nameof(body));
        }

        if (body.Length > MaxBodyLength)
        {
            throw new ArgumentException($"Body has {body.Length} characters; Twilio accepts at most {MaxBodyLength}.", nameof(body));
        }

        var hasFrom = !string.IsNullOrWhiteSpace(from);
        var hasService = !string.IsNullOrWhiteSpace(messagingServiceSid);
        if (hasFrom == hasService)
        {
            throw new ArgumentException("Give exactly one of From and MessagingServiceSid.", hasFrom ? nameof(messagingServiceSid) : nameof(from));
        }

        if (hasService && !TwilioCredential.IsMessagingServiceSid(messagingServiceSid))
        {
            throw new ArgumentException("MessagingServiceSid must be 'MG' followed by 32 hexadecimal digits.", nameof(messagingServiceSid));
        }

        if (statusCallback is not null && (!statusCallback.IsAbsoluteUri || (statusCallback.Scheme != Uri.UriSchemeHttps && statusCallback.Scheme != Uri.UriSchemeHttp)))
        {
            throw new ArgumentException("StatusCallback must be an absolute http(s) URL.", nameof(statusCallback));
        }

        if (validityPeriodSeconds is < MinValiditySeconds or > MaxValiditySeconds)
        {
            throw new ArgumentOutOfRangeException(nameof(validityPeriodSeconds), validityPeriodSeconds, $"ValidityPeriod must be {MinValiditySeconds}..{MaxValiditySeconds} seconds.");
        }

        To = to;
        Body = body;
        From = hasFrom ? from : null;
        MessagingServiceSid = hasService ? messagingServiceSid : null;
        StatusCallback = statusCallback;
        ValidityPeriodSeconds = validityPeriodSeconds;
    }

    public string To { get; }

    public string Body { get; }

    public string? From { get; }

    public string? MessagingServiceSid { get; }

    public Uri? StatusCallback { get; }

    public int? ValidityPeriodSeconds { get; }

    /// <summary>
    /// The ValidityPeriod for a message that must arrive within <paramref name="remaining"/>: whole seconds clamped to
    /// 1..36000, or null when nothing remains (the alert has expired; do not send).
    /// </summary>
    public static int? ClampValidity(TimeSpan remaining)
    {
        if (remaining < TimeSpan.FromSeconds(MinValiditySeconds))
        {
            return null;
        }

        return (int)Math.Min(MaxValiditySeconds, Math.Floor(remaining.TotalSeconds));
    }

    /// <summary>The form fields of the create call, in a fixed order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToFormFields()
    {
        var fields = new List<KeyValuePair<string, string>> { new("To", To) };
        fields.Add(From is not null ? new("From", From) : new("MessagingServiceSid", MessagingServiceSid!));
        fields.Add(new("Body", Body));
        if (StatusCallback is not null)
        {
            fields.Add(new("StatusCallback", StatusCallback.AbsoluteUri));
        }

        if (ValidityPeriodSeconds is { } validity)
        {
            fields.Add(new("ValidityPeriod", validity.ToString(CultureInfo.InvariantCulture)));
        }

        return fields;
    }

    public override string ToString() =>
        $"TwilioSendRequest {{ To = {Redact.Phone(To)}, BodyLength = {Body.Length}, From = {(From is null ? "<service>" : Redact.Phone(From))}, " +
        $"MessagingServiceSid = {MessagingServiceSid}, ValidityPeriodSeconds = {ValidityPeriodSeconds} }}";

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164();
}

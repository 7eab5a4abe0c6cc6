using System.Globalization;
using Azure;

namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>
/// A failed Twilio REST call: the HTTP <see cref="RequestFailedException.Status"/> (0 when no answer came back),
/// Twilio's numeric <see cref="TwilioCode"/> (also as <see cref="RequestFailedException.ErrorCode"/>), and what it
/// means (<see cref="Kind"/>). The message never contains a full phone number.
/// </summary>
public sealed class TwilioApiException : RequestFailedException
{
    public TwilioApiException(int status, int? twilioCode, string message, TwilioErrorKind kind, string? moreInfo = null, Exception? innerException = null)
        : base(status, message, twilioCode?.ToString(CultureInfo.InvariantCulture), innerException)
    {
        TwilioCode = twilioCode;
        Kind = kind;
        MoreInfo = moreInfo;
    }

    public int? TwilioCode { get; }

    public TwilioErrorKind Kind { get; }

    public string? MoreInfo { get; }

    /// <summary>Twilio did not process the request; the same request may be sent again later.</summary>
    public bool IsRetryable => Kind == TwilioErrorKind.Transient;

    /// <summary>Repeating the request cannot succeed.</summary>
    public bool IsPermanent => Kind is TwilioErrorKind.InvalidRecipient or TwilioErrorKind.OptedOut or TwilioErrorKind.Authentication or TwilioErrorKind.Permanent;

    /// <summary>21610: the recipient has opted out (replied STOP).</summary>
    public bool IsOptedOut => Kind == TwilioErrorKind.OptedOut;

    /// <summary>The send may have been accepted: reconcile with the message list before any resend.</summary>
    public bool IsOutcomeUnknown => Kind == TwilioErrorKind.OutcomeUnknown;
}

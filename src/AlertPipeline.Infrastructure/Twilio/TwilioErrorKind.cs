namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>What a failed Twilio call means for the delivery (docs/channels.md has the table).</summary>
public enum TwilioErrorKind
{
    /// <summary>Not processed (429 / 20429, connection refused, or a failed read): try again later with backoff.</summary>
    Transient,

    /// <summary>A send failed with a 5xx or a timeout: Twilio may have accepted it. Reconcile before any resend.</summary>
    OutcomeUnknown,

    /// <summary>21211 (invalid To) or 21614 (To is not a mobile number): never retry; skip the recipient.</summary>
    InvalidRecipient,

    /// <summary>21610: the recipient replied STOP. Never retry; mark the contact opted out.</summary>
    OptedOut,

    /// <summary>401/403 (20003): our credentials are wrong. Retrying cannot help; fix the configuration.</summary>
    Authentication,

    /// <summary>Any other 4xx: the request itself is wrong; never retry.</summary>
    Permanent,
}

/// <summary>What a delivery error code in a status callback (300xx) means.</summary>
public enum TwilioDeliveryErrorKind
{
    /// <summary>30003 unreachable handset, 30008 unknown error: may succeed a few times later.</summary>
    RetryLater,

    /// <summary>30004 blocked, 30005 unknown destination, 30006 landline, 30007 filtered: do not retry.</summary>
    Permanent,

    /// <summary>A code this table does not know: treat as permanent, but log the code.</summary>
    Unknown,
}

public static class TwilioErrorClassification
{
    public const int TooManyRequests = 20429;
    public const int AuthenticationFailed = 20003;
    public const int InvalidToNumber = 21211;
    public const int RecipientOptedOut = 21610;
    public const int NotAMobileNumber = 21614;
    public const int MissingRequiredParameter = 21604;
    public const int UnreachableHandset = 30003;
    public const int UnknownDeliveryError = 30008;

    /// <summary>Classifies an error answer of the REST API.</summary>
    /// <param name="httpStatus">The HTTP status (0 for a transport failure).</param>
    /// <param name="code">Twilio's <c>code</c>, when the body carried one.</param>
    /// <param name="isSend">True for the message-create call, where a 5xx leaves the outcome unknown.</param>
    public static TwilioErrorKind ForApiError(int httpStatus, int? code, bool isSend) => (httpStatus, code) switch
    {
        (_, TooManyRequests) or (429, _) => TwilioErrorKind.Transient,
        (_, RecipientOptedOut) => TwilioErrorKind.OptedOut,
        (_, InvalidToNumber or NotAMobileNumber) => TwilioErrorKind.InvalidRecipient,
        (_, AuthenticationFailed) or (401 or 403, _) => TwilioErrorKind.Authentication,
        (>= 500 or 0 or 408, _) => isSend ? TwilioErrorKind.OutcomeUnknown : TwilioErrorKind.Transient,
        _ => TwilioErrorKind.Permanent,
    };

    /// <summary>Classifies the <c>ErrorCode</c> of a status callback (status undelivered or failed).</summary>
    public static TwilioDeliveryErrorKind ForDeliveryError(int code) => code switch
    {
        UnreachableHandset or UnknownDeliveryError => TwilioDeliveryErrorKind.RetryLater,
        30004 or 30005 or 30006 or 30007 => TwilioDeliveryErrorKind.Permanent,
        _ => TwilioDeliveryErrorKind.Unknown,
    };
}

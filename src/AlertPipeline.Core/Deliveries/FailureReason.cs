namespace AlertPipeline.Core.Deliveries;

/// <summary>Why a delivery ended <see cref="DeliveryStatus.Failed"/> or <see cref="DeliveryStatus.Undelivered"/>.</summary>
public enum FailureReason
{
    /// <summary>Twilio 21211: the number is not valid.</summary>
    InvalidNumber,

    /// <summary>Twilio 21614: the number is not a mobile number.</summary>
    NotMobile,

    /// <summary>The mail server refused the address (SMTP 550/551/553).</summary>
    InvalidAddress,

    /// <summary>Twilio 21610: the number replied STOP; the opt-out is recorded.</summary>
    OptedOut,

    /// <summary>The provider refused the message for good (another permanent error).</summary>
    Rejected,

    /// <summary>Twilio 30003: the handset was unreachable (may succeed later).</summary>
    Unreachable,

    /// <summary>Twilio 30004: blocked by the carrier or the recipient.</summary>
    Blocked,

    /// <summary>Twilio 30005: unknown destination handset.</summary>
    UnknownDestination,

    /// <summary>Twilio 30006: a landline or unreachable carrier.</summary>
    Landline,

    /// <summary>Twilio 30007: filtered by the carrier (spam).</summary>
    Filtered,

    /// <summary>Twilio 30008: unknown carrier error (may succeed later).</summary>
    CarrierError,

    /// <summary>The provider reported failure without a code we know.</summary>
    ProviderReported,
}

/// <summary>Twilio error codes as delivery failure reasons.</summary>
public static class TwilioErrorCodes
{
    /// <summary>The reason for a Twilio error code, or null for a code we do not know (or none).</summary>
    public static FailureReason? ToReason(int? code) => code switch
    {
        21211 => FailureReason.InvalidNumber,
        21614 => FailureReason.NotMobile,
        21610 => FailureReason.OptedOut,
        30003 => FailureReason.Unreachable,
        30004 => FailureReason.Blocked,
        30005 => FailureReason.UnknownDestination,
        30006 => FailureReason.Landline,
        30007 => FailureReason.Filtered,
        30008 => FailureReason.CarrierError,
        _ => null,
    };

    /// <summary>
    /// Whether a resend could ever help: false for 30004–30007 (blocked, unknown destination, landline, filtered) and the
    /// 21xxx refusals; true for 30003 (unreachable) and 30008 (unknown error). We never resend automatically either way
    /// (a terminal status is terminal); organisers see the distinction in the report.
    /// </summary>
    public static bool MayRetryLater(FailureReason reason) => reason is FailureReason.Unreachable or FailureReason.CarrierError;

    public static int? Parse(string? code) =>
        int.TryParse(code, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;
}

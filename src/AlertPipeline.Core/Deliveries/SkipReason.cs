namespace AlertPipeline.Core.Deliveries;

/// <summary>Why a delivery was recorded as <see cref="DeliveryStatus.Skipped"/> instead of being sent.</summary>
public enum SkipReason
{
    /// <summary>The contact replied STOP (or Twilio reported 21610), or unsubscribed from email.</summary>
    OptedOut,

    /// <summary>The union has no consent on record for this channel.</summary>
    NoConsent,

    /// <summary>The stored number could not be parsed, or Twilio rejected it (21211, 21614).</summary>
    InvalidNumber,

    /// <summary>The contact has no number (SMS) or no email address (email).</summary>
    NoAddress,

    /// <summary>The alert's expiry passed before the message could be sent.</summary>
    Expired,

    /// <summary>The same person already has a delivery of this alert on this channel (listed in several branches/unions).</summary>
    Duplicate,

    /// <summary>No template could be rendered for the contact (e.g. a variable had no value).</summary>
    TemplateError,
}

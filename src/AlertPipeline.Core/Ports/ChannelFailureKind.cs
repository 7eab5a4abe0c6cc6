namespace AlertPipeline.Core.Ports;

/// <summary>What a failed send means for the delivery row and for a retry.</summary>
public enum ChannelFailureKind
{
    /// <summary>Not delivered to the provider; send the same message again later (let the queue redeliver).</summary>
    Transient,

    /// <summary>The provider may have accepted it (timeout, 5xx after the request went out). Reconcile before any resend.</summary>
    OutcomeUnknown,

    /// <summary>The address or number cannot receive this channel (invalid, landline, unknown mailbox). Never retry.</summary>
    InvalidRecipient,

    /// <summary>The recipient has opted out at the provider (Twilio 21610). Never retry; mark the contact opted out.</summary>
    OptedOut,

    /// <summary>Our settings are wrong (credentials, TLS). No message will go until they are fixed.</summary>
    Configuration,

    /// <summary>The provider refused this message for good.</summary>
    Permanent,
}

/// <summary>Base of the channel gateways' typed failures. Messages never contain a full phone number or address.</summary>
public abstract class ChannelSendException : Exception
{
    protected ChannelSendException(ChannelFailureKind kind, string? providerCode, string message, Exception? innerException)
        : base(message, innerException)
    {
        Kind = kind;
        ProviderCode = providerCode;
    }

    public ChannelFailureKind Kind { get; }

    /// <summary>The provider's error code (Twilio <c>21610</c>, SMTP <c>550</c>), when there was one.</summary>
    public string? ProviderCode { get; }

    public bool IsTransient => Kind == ChannelFailureKind.Transient;

    public bool IsOutcomeUnknown => Kind == ChannelFailureKind.OutcomeUnknown;

    public bool IsPermanent => Kind is ChannelFailureKind.InvalidRecipient or ChannelFailureKind.OptedOut or ChannelFailureKind.Permanent or ChannelFailureKind.Configuration;

    public bool IsOptedOut => Kind == ChannelFailureKind.OptedOut;
}

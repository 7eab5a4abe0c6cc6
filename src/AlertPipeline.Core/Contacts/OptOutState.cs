using NodaTime;

namespace AlertPipeline.Core.Contacts;

/// <summary>
/// When the contact opted out of each channel (SMS: a STOP reply or Twilio error 21610; email: an unsubscribe), or null
/// when they have not, or opted back in (START). Opting out always wins over <see cref="Consent"/>.
/// </summary>
public sealed record OptOutState(Instant? SmsOptedOutAt, Instant? EmailOptedOutAt)
{
    public static OptOutState None { get; } = new(null, null);

    public bool IsOptedOut(Channel channel) => OptedOutAt(channel) is not null;

    public Instant? OptedOutAt(Channel channel) => channel switch
    {
        Channel.Sms => SmsOptedOutAt,
        Channel.Email => EmailOptedOutAt,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
    };

    /// <summary>Opts out at <paramref name="at"/>; an earlier opt-out is kept (its time is the one that counts).</summary>
    public OptOutState OptOut(Channel channel, Instant at) => channel switch
    {
        Channel.Sms => this with { SmsOptedOutAt = SmsOptedOutAt ?? at },
        Channel.Email => this with { EmailOptedOutAt = EmailOptedOutAt ?? at },
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
    };

    public OptOutState OptIn(Channel channel) => channel switch
    {
        Channel.Sms => this with { SmsOptedOutAt = null },
        Channel.Email => this with { EmailOptedOutAt = null },
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
    };
}

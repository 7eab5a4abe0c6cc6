namespace AlertPipeline.Core.Contacts;

/// <summary>Whether the contact agreed to be messaged on each channel (recorded by their union).</summary>
public sealed record Consent(bool Sms, bool Email)
{
    public static Consent None { get; } = new(false, false);

    public static Consent All { get; } = new(true, true);

    public bool For(Channel channel) => channel switch
    {
        Channel.Sms => Sms,
        Channel.Email => Email,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
    };

    public Consent With(Channel channel, bool granted) => channel switch
    {
        Channel.Sms => this with { Sms = granted },
        Channel.Email => this with { Email = granted },
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
    };
}

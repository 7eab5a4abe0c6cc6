namespace AlertPipeline.Core.Contacts;

/// <summary>A way of reaching a contact.</summary>
public enum Channel
{
    Sms,
    Email,
}

public static class ChannelNames
{
    /// <summary>The lowercase wire name used in JSON and keys: <c>sms</c> or <c>email</c>.</summary>
    public static string ToWireName(this Channel channel) => channel switch
    {
        Channel.Sms => "sms",
        Channel.Email => "email",
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
    };

    /// <summary>Parses <c>sms</c> or <c>email</c> (exact, lowercase).</summary>
    public static bool TryParse(string? value, out Channel channel)
    {
        (var ok, channel) = value switch
        {
            "sms" => (true, Channel.Sms),
            "email" => (true, Channel.Email),
            _ => (false, default),
        };
        return ok;
    }
}

using System.Diagnostics.CodeAnalysis;
using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Alerts;

/// <summary>
/// Identifies one delivery: (alert, channel, recipient). <see cref="Value"/> is
/// <c>{alertId}-{sms|email}-{recipientHash}</c>, e.g. <c>3f…9a-sms-07…c2</c>: only <c>[a-z0-9-]</c>, 70 or 72
/// characters, safe as a Table key, and the same on every run (invariant 1). It contains no phone number or address.
/// </summary>
public sealed record DeliveryKey
{
    public DeliveryKey(AlertId alertId, Channel channel, RecipientHash recipient)
    {
        AlertId = alertId ?? throw new ArgumentNullException(nameof(alertId));
        Channel = channel;
        Recipient = recipient ?? throw new ArgumentNullException(nameof(recipient));
        _ = channel.ToWireName(); // rejects undefined channel values
    }

    public AlertId AlertId { get; }

    public Channel Channel { get; }

    public RecipientHash Recipient { get; }

    public string Value => $"{AlertId.Value}-{Channel.ToWireName()}-{Recipient.Value}";

    public static DeliveryKey Parse(string value) =>
        TryParse(value, out var key, out var error) ? key : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out DeliveryKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        var parts = value?.Split('-');
        if (parts is not { Length: 3 })
        {
            error = "delivery key must be '{alertId}-{channel}-{recipientHash}'";
            return false;
        }

        if (!AlertId.TryParse(parts[0], out var alertId, out error) || !RecipientHash.TryParse(parts[2], out var recipient, out error))
        {
            return false;
        }

        if (!ChannelNames.TryParse(parts[1], out var channel))
        {
            error = $"unknown channel '{parts[1]}' in delivery key";
            return false;
        }

        key = new DeliveryKey(alertId, channel, recipient);
        return true;
    }

    public override string ToString() => Value;
}

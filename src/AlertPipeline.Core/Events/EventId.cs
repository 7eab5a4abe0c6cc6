using System.Diagnostics.CodeAnalysis;
using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Events;

/// <summary>
/// Identifies an event (an anniversary, a trial hearing), not a queue message: the producer reuses it for every
/// reminder and every year, and it is one of the inputs of <c>Alerts.AlertId</c>. Lowercase <c>[a-z0-9-]</c>, 1 to
/// 100 characters.
/// </summary>
public sealed record EventId : IParsable<EventId>
{
    public const int MaxLength = 100;

    private EventId(string value) => Value = value;

    public string Value { get; }

    public static EventId Parse(string value) =>
        TryParse(value, out var id, out var error) ? id : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out EventId? id) =>
        TryParse(value, out id, out _);

    public static bool TryParse(
        [NotNullWhen(true)] string? value, [NotNullWhen(true)] out EventId? id, [NotNullWhen(false)] out string? error)
    {
        error = Slug.Check(value, "event id", MaxLength);
        id = error is null ? new EventId(value!) : null;
        return id is not null;
    }

    static EventId IParsable<EventId>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<EventId>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, [MaybeNullWhen(false)] out EventId result) =>
        TryParse(s, out result);

    public override string ToString() => Value;
}

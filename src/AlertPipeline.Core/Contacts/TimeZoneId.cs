using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using NodaTime;

namespace AlertPipeline.Core.Contacts;

/// <summary>
/// An IANA time zone id known to NodaTime's embedded TZDB (<see cref="DateTimeZoneProviders.Tzdb"/>), e.g.
/// <c>Asia/Aqtau</c>, <c>Europe/London</c>. Ids are case-sensitive, as in the TZDB.
/// </summary>
public sealed record TimeZoneId : IParsable<TimeZoneId>
{
    private static readonly FrozenSet<string> KnownIds = DateTimeZoneProviders.Tzdb.Ids.ToFrozenSet(StringComparer.Ordinal);

    private TimeZoneId(string id) => Id = id;

    public static TimeZoneId Utc { get; } = new("UTC");

    public string Id { get; }

    /// <summary>The zone's rules.</summary>
    public DateTimeZone Zone => DateTimeZoneProviders.Tzdb[Id];

    public static TimeZoneId Parse(string id) =>
        TryParse(id, out var zone, out var error) ? zone : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? id, [NotNullWhen(true)] out TimeZoneId? zone) =>
        TryParse(id, out zone, out _);

    public static bool TryParse(
        [NotNullWhen(true)] string? id, [NotNullWhen(true)] out TimeZoneId? zone, [NotNullWhen(false)] out string? error)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(id))
        {
            error = "time zone is empty";
            return false;
        }

        if (!KnownIds.Contains(id))
        {
            var hint = KnownIds.FirstOrDefault(k => string.Equals(k, id, StringComparison.OrdinalIgnoreCase));
            error = hint is null
                ? $"unknown time zone '{id}' (expected an IANA id such as 'Asia/Aqtau')"
                : $"unknown time zone '{id}' (did you mean '{hint}'?)";
            return false;
        }

        error = null;
        zone = new TimeZoneId(id);
        return true;
    }

    static TimeZoneId IParsable<TimeZoneId>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<TimeZoneId>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, [MaybeNullWhen(false)] out TimeZoneId result) =>
        TryParse(s, out result);

    public override string ToString() => Id;
}

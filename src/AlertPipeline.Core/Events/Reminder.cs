using System.Diagnostics.CodeAnalysis;
using NodaTime;
using NodaTime.Text;
using NodaTime.TimeZones;

namespace AlertPipeline.Core.Events;

/// <summary>
/// Which reminder of an occurrence an alert is: <c>immediate</c> (send as soon as it arrives, e.g. a postponement
/// notice), a name — <c>on-the-day</c> (= <c>P0D</c>), <c>day-before</c> (= <c>P1D</c>), <c>week-before</c>
/// (= <c>P7D</c>) — or an ISO-8601 period before the occurrence (<c>P3D</c>, <c>PT2H</c>, <c>P1W</c>).
/// <para>
/// <see cref="Value"/> is the name as given or the normalised period (<c>P1W</c> → <c>P7D</c>, <c>PT24H</c> →
/// <c>P1D</c>); <see cref="Canonical"/> maps names to their periods too, so <c>day-before</c> and <c>P1D</c> are the
/// same reminder (equal, and the same alert id).
/// </para>
/// </summary>
public sealed record Reminder : IParsable<Reminder>
{
    public const string ImmediateName = "immediate";

    private static readonly Dictionary<string, Period> Names = new(StringComparer.Ordinal)
    {
        ["on-the-day"] = Period.Zero,
        ["day-before"] = Period.FromDays(1),
        ["week-before"] = Period.FromDays(7),
    };

    private Reminder(string value, Period? offset)
    {
        Value = value;
        Offset = offset;
    }

    public static Reminder Immediate { get; } = new(ImmediateName, null);

    /// <summary>The text as written (name) or the normalised ISO period.</summary>
    public string Value { get; }

    /// <summary>How long before the occurrence it is due; null for <see cref="Immediate"/>.</summary>
    public Period? Offset { get; }

    public bool IsImmediate => Offset is null;

    /// <summary><c>immediate</c> or the normalised ISO period: the identity of the reminder.</summary>
    public string Canonical => Offset is null ? ImmediateName : PeriodPattern.NormalizingIso.Format(Offset);

    /// <summary>When the reminder is due (the occurrence's local time minus <see cref="Offset"/>, resolved leniently
    /// in its zone), or null for <see cref="Immediate"/>.</summary>
    public Instant? DueAt(Occurrence occurrence)
    {
        ArgumentNullException.ThrowIfNull(occurrence);
        return Offset is null
            ? null
            : occurrence.TimeZone.Zone.ResolveLocal(occurrence.Local.Minus(Offset), Resolvers.LenientResolver).ToInstant();
    }

    public static Reminder FromPeriod(Period offset) =>
        TryParse(PeriodPattern.NormalizingIso.Format(offset.Normalize()), out var reminder, out var error)
            ? reminder
            : throw new ArgumentException(error, nameof(offset));

    public static Reminder Parse(string value) =>
        TryParse(value, out var reminder, out var error) ? reminder : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out Reminder? reminder) =>
        TryParse(value, out reminder, out _);

    public static bool TryParse(
        [NotNullWhen(true)] string? value, [NotNullWhen(true)] out Reminder? reminder, [NotNullWhen(false)] out string? error)
    {
        reminder = null;
        error = null;
        if (string.IsNullOrEmpty(value))
        {
            error = "reminder is empty";
            return false;
        }

        if (value == ImmediateName)
        {
            reminder = Immediate;
            return true;
        }

        if (Names.TryGetValue(value, out var named))
        {
            reminder = new Reminder(value, named);
            return true;
        }

        var parsed = value.StartsWith('P') ? PeriodPattern.NormalizingIso.Parse(value) : null;
        if (parsed is null || !parsed.Success)
        {
            error = $"reminder '{value}' is neither 'immediate', 'on-the-day', 'day-before', 'week-before' nor an ISO-8601 period such as 'P7D' or 'PT2H'";
            return false;
        }

        var period = parsed.Value.Normalize();
        if (period.Years < 0 || period.Months < 0 || period.Weeks < 0 || period.Days < 0 || period.Hours < 0
            || period.Minutes < 0 || period.Seconds < 0 || period.Milliseconds < 0 || period.Nanoseconds < 0)
        {
            error = $"reminder '{value}' must not be negative: it is how long before the occurrence to send";
            return false;
        }

        if (period.Milliseconds != 0 || period.Nanoseconds != 0 || period.Seconds != 0)
        {
            error = $"reminder '{value}' must be in whole minutes";
            return false;
        }

        reminder = new Reminder(PeriodPattern.NormalizingIso.Format(period), period);
        return true;
    }

    static Reminder IParsable<Reminder>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<Reminder>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, [MaybeNullWhen(false)] out Reminder result) =>
        TryParse(s, out result);

    /// <summary>Reminders are equal when their <see cref="Canonical"/> forms are.</summary>
    public bool Equals(Reminder? other) => other is not null && Canonical == other.Canonical;

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Canonical);

    public override string ToString() => Value;
}

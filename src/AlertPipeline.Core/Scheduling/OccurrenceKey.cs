using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace AlertPipeline.Core.Scheduling;

/// <summary>
/// The stable identity of one scheduled occurrence: "{schedule id}|{anchor}|{what}". Computing a schedule again from the
/// same stored state yields the same keys, on any host, so the ScheduleTick can claim an occurrence by key (an
/// insert-if-absent or ETag-conditional write) and two hosts ticking at once fire it once.
/// <list type="bullet">
/// <item>Anniversary reminder: "zhanaozen|Y2025|P7D" — anchored on the anniversary year.</item>
/// <item>Hearing reminder: "trial-42|H20250314T093000|P1D" — anchored on the hearing's LOCAL date and time as the
/// organiser set it (not its UTC instant), so a time-zone database update that moves the instant does not mint new keys
/// and re-send reminders that already went out. Postponing changes the local date-time, hence the keys.</item>
/// <item>Notice: "trial-42|R2|MOVED" or "trial-42|R3|CANCELLED" — anchored on the schedule revision that made it.</item>
/// </list>
/// All parts avoid '/', '\', '#', '?' and control characters, so the key can be a Table Storage RowKey as it is.
/// </summary>
public sealed record OccurrenceKey
{
    private const char Separator = '|';
    private static readonly LocalDateTimePattern HearingPattern =
        LocalDateTimePattern.CreateWithInvariantCulture("uuuuMMdd'T'HHmmss");

    private OccurrenceKey(string value) => Value = value;

    public string Value { get; }

    /// <summary>The schedule this occurrence belongs to.</summary>
    public ScheduleId ScheduleId => new(Value[..Value.IndexOf(Separator, StringComparison.Ordinal)]);

    public static OccurrenceKey ForAnniversary(ScheduleId scheduleId, int year, Reminder reminder)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        ArgumentNullException.ThrowIfNull(reminder);
        return new(string.Create(CultureInfo.InvariantCulture, $"{scheduleId}{Separator}Y{year:D4}{Separator}{reminder.Code}"));
    }

    public static OccurrenceKey ForHearing(ScheduleId scheduleId, LocalDateTime hearing, Reminder reminder)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        ArgumentNullException.ThrowIfNull(reminder);
        return new($"{scheduleId}{Separator}H{HearingPattern.Format(hearing)}{Separator}{reminder.Code}");
    }

    public static OccurrenceKey ForNotice(ScheduleId scheduleId, int revision, OccurrenceKind kind)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        var what = kind switch
        {
            OccurrenceKind.HearingMoved => "MOVED",
            OccurrenceKind.HearingCancelled => "CANCELLED",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only hearing notices have notice keys."),
        };
        return new(string.Create(CultureInfo.InvariantCulture, $"{scheduleId}{Separator}R{revision}{Separator}{what}"));
    }

    /// <summary>Reads back a key as stored (e.g. a RowKey); checks its shape, not that the schedule exists.</summary>
    /// <exception cref="FormatException">Not three '|'-separated parts with a valid schedule id first.</exception>
    public static OccurrenceKey Parse(string value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new FormatException("An occurrence key must not be empty.");
        }

        var parts = value.Split(Separator);
        if (parts.Length != 3 || parts[1].Length < 2 || parts[2].Length == 0)
        {
            throw new FormatException($"Occurrence key '{value}' is not '{{schedule}}|{{anchor}}|{{what}}'.");
        }

        try
        {
            _ = new ScheduleId(parts[0]);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"Occurrence key '{value}' starts with an invalid schedule id: {ex.Message}", ex);
        }

        if (parts[1][0] is not ('Y' or 'H' or 'R'))
        {
            throw new FormatException($"Occurrence key '{value}' has anchor '{parts[1]}'; expected 'Y…', 'H…' or 'R…'.");
        }

        return new(value);
    }

    public override string ToString() => Value;
}

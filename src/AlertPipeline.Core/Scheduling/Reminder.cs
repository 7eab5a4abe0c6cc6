using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace AlertPipeline.Core.Scheduling;

/// <summary>
/// When, relative to an event, a reminder fires. Two kinds, deliberately different:
/// <list type="bullet">
/// <item><see cref="LocalDayReminder"/>: N calendar days before, in the event's LOCAL time — at the event's own local
/// time of day ("P1D": 10:00 the day before a 10:00 event, even across a DST change) or at a given local time ("P1D@18:00",
/// "P0D@07:00" = the morning of). "P0D" is "on the day", at the event time itself.</item>
/// <item><see cref="ElapsedReminder"/>: an exact elapsed duration before the event instant ("PT2H").</item>
/// </list>
/// A reminder is written as a short code, which is also part of every <see cref="OccurrenceKey"/>.
/// </summary>
public abstract record Reminder
{
    /// <summary>Longest lead a reminder may have (a year and a day is plenty, and it bounds every search window).</summary>
    public const int MaxDaysBefore = 366;

    private protected Reminder()
    {
    }

    /// <summary>"On the day": at the event's own local time.</summary>
    public static LocalDayReminder OnTheDay { get; } = new(0);

    /// <summary>The canonical code: "P7D", "P1D@18:00", "P0D@07:00", "PT2H", "PT1H30M".</summary>
    public abstract string Code { get; }

    /// <summary>N local calendar days before, at the event's local time of day.</summary>
    public static LocalDayReminder DaysBefore(int days) => new(days);

    /// <summary>N local calendar days before, at the given local time.</summary>
    public static LocalDayReminder DaysBefore(int days, LocalTime at) => new(days, at);

    /// <summary>The morning of (or any time on the day), at a local time no later than the event.</summary>
    public static LocalDayReminder MorningOf(LocalTime at) => new(0, at);

    /// <summary>Exactly this many hours of elapsed time before the event instant.</summary>
    public static ElapsedReminder HoursBefore(int hours) => new(Duration.FromHours(hours));

    /// <summary>Exactly this much elapsed time before the event instant.</summary>
    public static ElapsedReminder Before(Duration duration) => new(duration);

    /// <summary>
    /// Parses a reminder code: "P{n}D" or "P{n}W" (local days, same local time), "P{n}D@HH:mm" (local days, at a local
    /// time), "PT{h}H{m}M{s}S" (elapsed). Days and hours cannot be mixed ("P1DT2H" is rejected: say which you mean).
    /// </summary>
    /// <exception cref="FormatException">The code is not one of those shapes; the message says what is wrong.</exception>
    public static Reminder Parse(string code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            throw new FormatException("A reminder code must not be empty (expected e.g. 'P7D', 'P1D', 'PT2H' or 'P0D@07:00').");
        }

        var text = code.Trim();
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var periodText = at < 0 ? text : text[..at];

        var parsed = PeriodPattern.NormalizingIso.Parse(periodText);
        if (!parsed.Success)
        {
            throw new FormatException(
                $"Reminder '{code}' is not an ISO-8601 duration like 'P7D', 'PT2H' or 'P0D@07:00'.");
        }

        var period = parsed.Value;
        if (period.Years != 0 || period.Months != 0)
        {
            throw new FormatException($"Reminder '{code}' uses years or months; use days ('P30D') instead.");
        }

        if (HasNegative(period))
        {
            throw new FormatException($"Reminder '{code}' is negative; a reminder fires before its event.");
        }

        var hasDays = period.Weeks != 0 || period.Days != 0 || !period.HasTimeComponent;
        if (hasDays && period.HasTimeComponent)
        {
            throw new FormatException(
                $"Reminder '{code}' mixes days and hours; use local days ('P1D') or elapsed time ('PT26H'), not both.");
        }

        try
        {
            if (hasDays)
            {
                var days = checked((period.Weeks * 7) + period.Days);
                if (at < 0)
                {
                    return new LocalDayReminder(days);
                }

                var timeText = text[(at + 1)..];
                var time = LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(timeText);
                if (!time.Success)
                {
                    throw new FormatException($"Reminder '{code}' has time '{timeText}'; expected a 24-hour 'HH:mm' such as '07:00'.");
                }

                return new LocalDayReminder(days, time.Value);
            }

            if (at >= 0)
            {
                throw new FormatException($"Reminder '{code}' gives a time of day to an elapsed reminder; '@HH:mm' only goes with days ('P1D@18:00').");
            }

            return new ElapsedReminder(period.ToDuration());
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new FormatException($"Reminder '{code}' is out of range: {ex.Message}", ex);
        }
        catch (OverflowException ex)
        {
            throw new FormatException($"Reminder '{code}' is out of range.", ex);
        }
    }

    /// <summary>The code, as written in keys and configuration.</summary>
    public sealed override string ToString() => Code;

    /// <summary>
    /// The instant this reminder fires for an event the organiser set at <paramref name="eventLocal"/> in the
    /// event's zone, which resolved to <paramref name="eventAt"/>. Never later than the event itself.
    /// </summary>
    internal abstract Instant FireAt(LocalDateTime eventLocal, ZonedDateTime eventAt);

    /// <summary>Whether this reminder, for an event at <paramref name="eventTime"/> local, would be set after it.</summary>
    internal abstract bool IsAfterEvent(LocalTime eventTime);

    private static bool HasNegative(Period p) =>
        p.Weeks < 0 || p.Days < 0 || p.Hours < 0 || p.Minutes < 0 || p.Seconds < 0 || p.Milliseconds < 0
        || p.Ticks < 0 || p.Nanoseconds < 0;
}

/// <summary>
/// N calendar days before the event in its own zone's local calendar, at the event's local time of day
/// (<see cref="At"/> null) or at <see cref="At"/>. The result is resolved with <see cref="ScheduleTime.Resolver"/>,
/// so "P1D" before 10:00 is 10:00 local the day before, whatever the UTC offsets of the two days.
/// </summary>
public sealed record LocalDayReminder : Reminder
{
    public LocalDayReminder(int daysBefore, LocalTime? at = null)
    {
        if (daysBefore is < 0 or > MaxDaysBefore)
        {
            throw new ArgumentOutOfRangeException(
                nameof(daysBefore), daysBefore, $"Days before must be between 0 and {MaxDaysBefore}.");
        }

        if (at is { } time && (time.Second != 0 || time.TickOfSecond != 0))
        {
            throw new ArgumentOutOfRangeException(nameof(at), time, "A reminder's local time must be whole minutes.");
        }

        Days = daysBefore;
        At = at;
    }

    /// <summary>Local calendar days before the event's date.</summary>
    public int Days { get; }

    /// <summary>The local time of day to fire at; null means the event's own local time.</summary>
    public LocalTime? At { get; }

    public override string Code => At is { } at
        ? string.Create(CultureInfo.InvariantCulture, $"P{Days}D@{at.Hour:D2}:{at.Minute:D2}")
        : string.Create(CultureInfo.InvariantCulture, $"P{Days}D");

    internal override Instant FireAt(LocalDateTime eventLocal, ZonedDateTime eventAt)
    {
        var local = eventLocal.Date.PlusDays(-Days).At(At ?? eventLocal.TimeOfDay);
        var fire = ScheduleTime.Resolve(local, eventAt.Zone).ToInstant();
        var eventInstant = eventAt.ToInstant();
        return fire > eventInstant ? eventInstant : fire;
    }

    internal override bool IsAfterEvent(LocalTime eventTime) => Days == 0 && At is { } at && at > eventTime;
}

/// <summary>An exact elapsed duration before the event instant (whole seconds, at most <see cref="Reminder.MaxDaysBefore"/> days).</summary>
public sealed record ElapsedReminder : Reminder
{
    public ElapsedReminder(Duration before)
    {
        if (before <= Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(before), before, "An elapsed reminder must be positive; use 'P0D' for the event time itself.");
        }

        if (before > Duration.FromDays(MaxDaysBefore))
        {
            throw new ArgumentOutOfRangeException(nameof(before), before, $"An elapsed reminder must be at most {MaxDaysBefore} days.");
        }

        if (before.SubsecondNanoseconds != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(before), before, "An elapsed reminder must be whole seconds.");
        }

        Elapsed = before;
    }

    /// <summary>Elapsed time between the reminder and the event.</summary>
    public Duration Elapsed { get; }

    public override string Code
    {
        get
        {
            var total = (long)Elapsed.TotalSeconds;
            var hours = total / 3600;
            var minutes = total % 3600 / 60;
            var seconds = total % 60;
            var code = new System.Text.StringBuilder("PT");
            if (hours != 0)
            {
                code.Append(CultureInfo.InvariantCulture, $"{hours}H");
            }

            if (minutes != 0)
            {
                code.Append(CultureInfo.InvariantCulture, $"{minutes}M");
            }

            if (seconds != 0)
            {
                code.Append(CultureInfo.InvariantCulture, $"{seconds}S");
            }

            return code.ToString();
        }
    }

    internal override Instant FireAt(LocalDateTime eventLocal, ZonedDateTime eventAt) => eventAt.ToInstant() - Elapsed;

    internal override bool IsAfterEvent(LocalTime eventTime) => false;
}

using NodaTime;

namespace AlertPipeline.Core.Scheduling;

/// <summary>
/// A yearly anniversary at a local date and time in an IANA zone, e.g. 16 December 10:00 Asia/Aqtau (Zhanaozen, 2011).
/// </summary>
/// <remarks>
/// <para>29 February: in a year that has none, the anniversary falls on 28 February, at the same local time.</para>
/// <para>Local times are resolved with <see cref="ScheduleTime.Resolver"/> (DST gap → shifted forward, overlap → earlier).</para>
/// <para>Occurrence keys are anchored on the year: "{id}|Y2025|P7D".</para>
/// </remarks>
public sealed record AnniversarySchedule : Schedule
{
    public const int MinYear = 1;
    public const int MaxYear = 9999;

    /// <param name="id">Schedule id.</param>
    /// <param name="date">Month and day.</param>
    /// <param name="timeOfDay">Local time of the anniversary.</param>
    /// <param name="zone">IANA zone, e.g. from <see cref="ScheduleTime.Zone"/>.</param>
    /// <param name="reminders">At least one reminder.</param>
    /// <param name="firstYear">First anniversary year to remind of (inclusive).</param>
    /// <param name="lastYear">Last anniversary year (inclusive); null: no end.</param>
    /// <param name="effectiveFrom">See <see cref="Schedule.EffectiveFrom"/>.</param>
    public AnniversarySchedule(
        ScheduleId id,
        AnnualDate date,
        LocalTime timeOfDay,
        DateTimeZone zone,
        IEnumerable<Reminder> reminders,
        int firstYear,
        int? lastYear = null,
        Instant? effectiveFrom = null)
        : base(id, zone, reminders, effectiveFrom)
    {
        if (firstYear is < MinYear or > MaxYear)
        {
            throw new ArgumentOutOfRangeException(nameof(firstYear), firstYear, $"The first year must be between {MinYear} and {MaxYear}.");
        }

        if (lastYear is { } last && (last < firstYear || last > MaxYear))
        {
            throw new ArgumentOutOfRangeException(nameof(lastYear), lastYear, $"The last year must be between the first year ({firstYear}) and {MaxYear}.");
        }

        EnsureRemindersPrecede(Reminders, timeOfDay, "anniversary");
        Date = date;
        TimeOfDay = timeOfDay;
        FirstYear = firstYear;
        LastYear = lastYear;
    }

    public AnnualDate Date { get; }

    public LocalTime TimeOfDay { get; }

    public int FirstYear { get; }

    public int? LastYear { get; }

    /// <summary>The anniversary's local date in <paramref name="year"/>: 29 February becomes 28 February in a non-leap year.</summary>
    public LocalDate DateIn(int year) =>
        Date.IsValidYear(year) ? Date.InYear(year) : new LocalDate(year, 2, 28);

    /// <summary>The anniversary in <paramref name="year"/>, resolved in <see cref="Schedule.Zone"/>.</summary>
    public ZonedDateTime EventIn(int year) => ScheduleTime.Resolve(DateIn(year).At(TimeOfDay), Zone);

    /// <summary>
    /// The occurrences (one per reminder) for the anniversary in <paramref name="year"/>, earliest first;
    /// empty outside [<see cref="FirstYear"/>, <see cref="LastYear"/>]. Those before <see cref="Schedule.EffectiveFrom"/>
    /// are left out.
    /// </summary>
    public IReadOnlyList<ScheduledOccurrence> OccurrencesIn(int year)
    {
        if (year < FirstYear || year > (LastYear ?? MaxYear))
        {
            return [];
        }

        var local = DateIn(year).At(TimeOfDay);
        var eventAt = ScheduleTime.Resolve(local, Zone);
        var result = new List<ScheduledOccurrence>(Reminders.Count);
        foreach (var reminder in Reminders)
        {
            var fireAt = reminder.FireAt(local, eventAt);
            if (IsEffective(fireAt))
            {
                result.Add(new ScheduledOccurrence(
                    OccurrenceKey.ForAnniversary(Id, year, reminder), Id, OccurrenceKind.Reminder, reminder, fireAt, eventAt));
            }
        }

        result.Sort(OccurrenceOrder.Instance);
        return result;
    }

    public override IEnumerable<ScheduledOccurrence> OccurrencesBetween(Instant after, Instant upTo)
    {
        if (upTo <= after)
        {
            yield break;
        }

        // A reminder fires at most MaxDaysBefore days (plus a DST hour) before its anniversary, so the
        // anniversaries that matter are those from the year before 'after' to two years after 'upTo'.
        var fromYear = Math.Max(FirstYear, after.InUtc().Year - 1);
        var toYear = Math.Min(LastYear ?? MaxYear, upTo.InUtc().Year + 2);
        for (var year = fromYear; year <= toYear; year++)
        {
            foreach (var occurrence in OccurrencesIn(year))
            {
                if (occurrence.FireAt > after && occurrence.FireAt <= upTo)
                {
                    yield return occurrence;
                }
            }
        }
    }
}

using NodaTime;

namespace AlertPipeline.Core.Scheduling;

/// <summary>What one ScheduleTick should do.</summary>
/// <param name="Due">Fire now: fire instant in (now − grace, now], earliest first.</param>
/// <param name="Missed">Record as missed, don't send: fire instant in (lastTick − grace, now − grace], earliest first.</param>
public sealed record DueOccurrencesResult(IReadOnlyList<ScheduledOccurrence> Due, IReadOnlyList<ScheduledOccurrence> Missed);

/// <summary>
/// The pure part of the ScheduleTick (timer trigger): which occurrences to fire now and which to record as missed.
/// </summary>
/// <remarks>
/// <para>Windows, with g the grace period: due = (now − g, now]; missed = (lastTick − g, now − g]. Consecutive ticks'
/// missed windows are contiguous and disjoint, so an occurrence that was never claimed is reported missed exactly once,
/// on the first tick after it aged out of the grace period. Nothing further back than the grace period is ever due.</para>
/// <para>Without a last tick (the first tick ever), nothing is reported missed.</para>
/// <para>Claiming: the results are candidates. <c>firedKeys</c>, when given, removes those already claimed (fired or
/// recorded missed), but it can be stale — two hosts ticking at once compute the same candidates with the same keys, so
/// the caller must still claim each key with a conditional write (insert-if-absent / ETag) and fire only what it won.</para>
/// </remarks>
public static class SchedulePlanner
{
    /// <summary>Longest grace period accepted.</summary>
    public static readonly Duration MaxGracePeriod = Duration.FromDays(7);

    /// <param name="schedules">The schedules to consider; ids must be distinct.</param>
    /// <param name="lastTick">The <paramref name="now"/> of the previous completed tick; null on the first tick.</param>
    /// <param name="now">The tick's clock reading.</param>
    /// <param name="gracePeriod">How late an occurrence may still be sent (positive, at most <see cref="MaxGracePeriod"/>).</param>
    /// <param name="firedKeys">Keys already claimed, to leave out; null: leave out nothing.</param>
    public static DueOccurrencesResult DueOccurrences(
        IEnumerable<Schedule> schedules,
        Instant? lastTick,
        Instant now,
        Duration gracePeriod,
        IReadOnlySet<OccurrenceKey>? firedKeys = null)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        if (gracePeriod <= Duration.Zero || gracePeriod > MaxGracePeriod)
        {
            throw new ArgumentOutOfRangeException(
                nameof(gracePeriod), gracePeriod, $"The grace period must be positive and at most {MaxGracePeriod.TotalDays} days.");
        }

        var dueFrom = now - gracePeriod;
        var missedFrom = lastTick is { } last && last - gracePeriod < dueFrom ? last - gracePeriod : dueFrom;

        var due = new List<ScheduledOccurrence>();
        var missed = new List<ScheduledOccurrence>();
        var ids = new HashSet<ScheduleId>();
        foreach (var schedule in schedules)
        {
            ArgumentNullException.ThrowIfNull(schedule, nameof(schedules));
            if (!ids.Add(schedule.Id))
            {
                throw new ArgumentException($"Schedule '{schedule.Id}' is listed twice.", nameof(schedules));
            }

            foreach (var occurrence in schedule.OccurrencesBetween(missedFrom, now))
            {
                if (firedKeys is not null && firedKeys.Contains(occurrence.Key))
                {
                    continue;
                }

                (occurrence.FireAt > dueFrom ? due : missed).Add(occurrence);
            }
        }

        due.Sort(OccurrenceOrder.Instance);
        missed.Sort(OccurrenceOrder.Instance);
        return new DueOccurrencesResult(due, missed);
    }

    /// <summary>As <see cref="DueOccurrences(IEnumerable{Schedule}, Instant?, Instant, Duration, IReadOnlySet{OccurrenceKey}?)"/>, reading now from <paramref name="clock"/>.</summary>
    public static DueOccurrencesResult DueOccurrences(
        IEnumerable<Schedule> schedules,
        Instant? lastTick,
        IClock clock,
        Duration gracePeriod,
        IReadOnlySet<OccurrenceKey>? firedKeys = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return DueOccurrences(schedules, lastTick, clock.GetCurrentInstant(), gracePeriod, firedKeys);
    }
}

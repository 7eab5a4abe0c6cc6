using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Events;
using NodaTime;

namespace AlertPipeline.Core.Scheduling;

/// <summary>An occurrence this tick enqueued on <c>alert-events</c>, with its event.</summary>
public sealed record ScheduledAlertEvent(OccurrenceKey Key, AlertId AlertId, AlertEvent Event);

/// <summary>Something the tick could not do: <paramref name="Subject"/> names the schedule, occurrence or step.</summary>
public sealed record ScheduleTickProblem(string Subject, string Reason)
{
    public override string ToString() => $"{Subject}: {Reason}";
}

/// <param name="Now">The tick's clock reading.</param>
/// <param name="PreviousTick">The last tick it started from (null on the first tick ever).</param>
/// <param name="Emitted">Occurrences claimed by this tick whose events it enqueued.</param>
/// <param name="Missed">Occurrences this tick recorded as missed.</param>
/// <param name="AlreadyRecorded">Candidates another tick (or a trial change) had recorded first and that were not redelivered: skipped.</param>
/// <param name="Problems">Unreadable schedules, invalid events, storage failures.</param>
/// <param name="LastTickAdvanced">False when a storage or queue failure stopped the tick: the next tick covers the same window again.</param>
/// <param name="Redelivered">Occurrences another tick had claimed without confirming the enqueue (older than the redelivery threshold): enqueued again by this tick.</param>
public sealed record ScheduleTickResult(
    Instant Now,
    Instant? PreviousTick,
    IReadOnlyList<ScheduledAlertEvent> Emitted,
    IReadOnlyList<OccurrenceKey> Missed,
    int AlreadyRecorded,
    IReadOnlyList<ScheduleTickProblem> Problems,
    bool LastTickAdvanced,
    IReadOnlyList<ScheduledAlertEvent> Redelivered);

using NodaTime;

namespace AlertPipeline.Core.Scheduling;

/// <summary>What an occurrence announces.</summary>
public enum OccurrenceKind
{
    /// <summary>A reminder of an anniversary or a hearing (including "on the day").</summary>
    Reminder,

    /// <summary>"The hearing has moved": due at the moment of postponement.</summary>
    HearingMoved,

    /// <summary>"The hearing is cancelled": due at the moment of cancellation.</summary>
    HearingCancelled,
}

/// <summary>
/// One thing a schedule will fire: a reminder of an anniversary or hearing, or a hearing notice.
/// </summary>
/// <param name="Key">Stable identity; what the tick claims.</param>
/// <param name="ScheduleId">The schedule it comes from.</param>
/// <param name="Kind">Reminder or notice.</param>
/// <param name="Reminder">The reminder rule; null for notices.</param>
/// <param name="FireAt">When it is due.</param>
/// <param name="EventAt">The event it is about (for a moved notice: the new hearing), in the event's zone.</param>
/// <param name="PreviousEventAt">For a moved notice: the hearing as it was before; otherwise null.</param>
public sealed record ScheduledOccurrence(
    OccurrenceKey Key,
    ScheduleId ScheduleId,
    OccurrenceKind Kind,
    Reminder? Reminder,
    Instant FireAt,
    ZonedDateTime EventAt,
    ZonedDateTime? PreviousEventAt = null);

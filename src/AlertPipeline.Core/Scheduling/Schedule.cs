using NodaTime;

namespace AlertPipeline.Core.Scheduling;

/// <summary>
/// A schedule: an event (yearly anniversary or one-off hearing) in an IANA zone and the reminders that precede it.
/// Pure data and rules; storing it and firing its occurrences belong to others.
/// </summary>
public abstract record Schedule
{
    private protected Schedule(ScheduleId id, DateTimeZone zone, IEnumerable<Reminder> reminders, Instant? effectiveFrom)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(zone);
        Id = id;
        Zone = zone;
        Reminders = reminders as ReminderSet ?? new ReminderSet(reminders);
        EffectiveFrom = effectiveFrom;
    }

    public ScheduleId Id { get; }

    /// <summary>The IANA zone the event's local date and time are in.</summary>
    public DateTimeZone Zone { get; }

    public ReminderSet Reminders { get; }

    /// <summary>
    /// When this version of the schedule took effect (created, postponed, edited). Occurrences that would fire
    /// before it are not part of the plan — they are not "missed", they never were due. Null: no lower bound.
    /// </summary>
    public Instant? EffectiveFrom { get; }

    /// <summary>Every occurrence whose fire instant is in (<paramref name="after"/>, <paramref name="upTo"/>].</summary>
    public abstract IEnumerable<ScheduledOccurrence> OccurrencesBetween(Instant after, Instant upTo);

    private protected bool IsEffective(Instant fireAt) => EffectiveFrom is not { } from || fireAt >= from;

    private protected static void EnsureRemindersPrecede(ReminderSet reminders, LocalTime eventTime, string what)
    {
        foreach (var reminder in reminders)
        {
            if (reminder.IsAfterEvent(eventTime))
            {
                throw new ArgumentException(
                    $"Reminder '{reminder.Code}' would fire after the {what} at {eventTime:HH':'mm} on the same day.",
                    nameof(reminders));
            }
        }
    }
}

using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using NodaTime;
using EventReminder = AlertPipeline.Core.Events.Reminder;

namespace AlertPipeline.Core.Scheduling;

/// <summary>
/// A stored schedule: the rules (<see cref="Schedule"/>: an anniversary or a trial), the campaign whose audience it
/// alerts, and the alert content. Turns each of its occurrences into a valid <see cref="AlertEvent"/> with
/// <see cref="EventFor"/>, deterministically: the same occurrence always gives the same event (and alert id).
/// </summary>
/// <remarks>
/// <para>The schedule id is also the alerts' <see cref="Events.EventId"/>, so it must be a lowercase slug
/// (<c>[a-z0-9-]</c>). Notices are events of their own: <c>{id}-r{revision}</c>.</para>
/// <para>Event times are whole minutes (the contract's reminders are whole minutes).</para>
/// </remarks>
public sealed record ScheduledAlert
{
    public ScheduledAlert(CampaignId campaignId, Schedule schedule, ScheduledAlertContent content)
    {
        ArgumentNullException.ThrowIfNull(campaignId);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(content);
        if (!EventId.TryParse(schedule.Id.Value, out var eventId, out var error))
        {
            throw new ArgumentException(
                $"Schedule id '{schedule.Id}' also names its alerts' event, so it must be a lowercase slug ({error}).", nameof(schedule));
        }

        var eventTime = EventTimeOf(schedule);
        if (eventTime.Second != 0 || eventTime.TickOfSecond != 0)
        {
            throw new ArgumentException($"Schedule '{schedule.Id}': the event time {eventTime:HH:mm:ss} must be whole minutes.", nameof(schedule));
        }

        foreach (var reminder in schedule.Reminders)
        {
            try
            {
                _ = EventReminderFor(reminder, new LocalDate(2000, 1, 1).At(eventTime));
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"Schedule '{schedule.Id}': reminder '{reminder.Code}' cannot be an alert reminder: {ex.Message}", nameof(schedule), ex);
            }
        }

        if (schedule is TrialSchedule { Notice: { } notice } && content.TemplatesFor(notice.Kind) is null)
        {
            throw new ArgumentException(
                $"Trial '{schedule.Id}' has a {notice.Kind} notice but its content has no templates for it; add them or change the hearing without notifying.",
                nameof(content));
        }

        CampaignId = campaignId;
        Schedule = schedule;
        Content = content;
        EventId = eventId;
    }

    public ScheduleId Id => Schedule.Id;

    public CampaignId CampaignId { get; }

    public Schedule Schedule { get; }

    public ScheduledAlertContent Content { get; }

    /// <summary>The event id of its reminders (the schedule id).</summary>
    public EventId EventId { get; }

    /// <summary>
    /// The last instant at which this schedule can fire anything; null when it never ends. A tick can leave out schedules
    /// whose value is before its windows.
    /// </summary>
    public Instant? FiresUntil => Schedule switch
    {
        AnniversarySchedule { LastYear: { } last } anniversary => anniversary.EventIn(last).ToInstant(),
        AnniversarySchedule => null,
        TrialSchedule { Status: TrialStatus.Cancelled } trial => trial.Notice?.DueAt ?? trial.EffectiveFrom ?? trial.HearingAt.ToInstant(),
        TrialSchedule trial => trial.Notice is { } notice && notice.DueAt > trial.HearingAt.ToInstant() ? notice.DueAt : trial.HearingAt.ToInstant(),
        _ => throw new InvalidOperationException($"Unknown schedule type {Schedule.GetType().Name}."),
    };

    /// <summary>The same campaign and content with a new revision of the schedule (same id).</summary>
    public ScheduledAlert WithSchedule(Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.Id == Id
            ? new ScheduledAlert(CampaignId, schedule, Content)
            : throw new ArgumentException($"Schedule '{schedule.Id}' is not '{Id}'.", nameof(schedule));
    }

    /// <summary>
    /// The alert event of <paramref name="occurrence"/> (one of this schedule's), valid per <see cref="AlertEventParser.Validate"/>:
    /// <list type="bullet">
    /// <item>reminder → kind <c>anniversary</c> or <c>trial-date</c>, event id = schedule id, occurrence = the event's
    /// local date-time as set (not DST-shifted), reminder = how long before it in local time (<c>P7D</c>, <c>P1D@18:00</c> before
    /// 10:00 → <c>PT16H</c>, <c>PT2H</c>);</item>
    /// <item>notice → <c>trial-postponed</c> (occurrence = new hearing) or <c>trial-cancelled</c>, reminder <c>immediate</c>,
    /// event id <c>{id}-r{revision}</c>;</item>
    /// <item><c>occurredAt</c> = the fire instant; <c>expiresAt</c> = the later of event + <see cref="ScheduledAlertContent.ExpiresAfterEvent"/>
    /// and fire instant + <paramref name="gracePeriod"/>.</item>
    /// </list>
    /// </summary>
    /// <exception cref="ArgumentException">The occurrence is not one of this schedule's.</exception>
    public AlertEvent EventFor(ScheduledOccurrence occurrence, Duration gracePeriod)
    {
        ArgumentNullException.ThrowIfNull(occurrence);
        var (eventId, kind, local, reminder, previous) = Describe(occurrence);
        var templates = Content.TemplatesFor(occurrence.Kind)
            ?? throw new ArgumentException($"Schedule '{Id}' has no templates for {occurrence.Kind} occurrences.", nameof(occurrence));
        var afterEvent = occurrence.EventAt.ToInstant() + Content.ExpiresAfterEvent;
        var afterGrace = occurrence.FireAt + gracePeriod;
        var alertEvent = new AlertEvent
        {
            EventId = eventId,
            Kind = kind,
            OccurredAt = occurrence.FireAt,
            CampaignId = CampaignId,
            Occurrence = new Occurrence(local, TimeZoneId.Parse(Schedule.Zone.Id)),
            Reminder = reminder,
            Audience = Content.Audience,
            Channels = Content.Channels,
            Templates = templates.Templates,
            TemplateRef = templates.Reference,
            Variables = Content.VariablesFor(occurrence.Kind, previous),
            ExplicitExpiry = afterEvent > afterGrace ? afterEvent : afterGrace,
        };

        var errors = AlertEventParser.Validate(alertEvent);
        return errors.Count == 0
            ? alertEvent
            : throw new ArgumentException($"Occurrence '{occurrence.Key}' does not make a valid alert event: {string.Join("; ", errors)}", nameof(occurrence));
    }

    /// <summary>
    /// The contract's reminder for a scheduling reminder of an event set at <paramref name="eventLocal"/>: how long before
    /// the event, in local time. Elapsed reminders keep their duration; they must be whole minutes.
    /// </summary>
    internal static EventReminder EventReminderFor(Reminder reminder, LocalDateTime eventLocal) => reminder switch
    {
        LocalDayReminder { At: null } days => EventReminder.FromPeriod(Period.FromDays(days.Days)),
        LocalDayReminder { At: { } at } days => EventReminder.FromPeriod(
            Period.Between(eventLocal.Date.PlusDays(-days.Days).At(at), eventLocal, PeriodUnits.Days | PeriodUnits.Hours | PeriodUnits.Minutes | PeriodUnits.Seconds)),
        ElapsedReminder elapsed => EventReminder.FromPeriod(Period.FromSeconds((long)elapsed.Elapsed.TotalSeconds)),
        _ => throw new ArgumentException($"Unknown reminder type {reminder.GetType().Name}.", nameof(reminder)),
    };

    private static LocalTime EventTimeOf(Schedule schedule) => schedule switch
    {
        AnniversarySchedule anniversary => anniversary.TimeOfDay,
        TrialSchedule trial => trial.Hearing.TimeOfDay,
        _ => throw new ArgumentException($"Unknown schedule type {schedule.GetType().Name}.", nameof(schedule)),
    };

    private (EventId EventId, EventKind Kind, LocalDateTime Local, EventReminder Reminder, LocalDateTime? Previous) Describe(ScheduledOccurrence occurrence)
    {
        switch (Schedule, occurrence.Kind)
        {
            case (AnniversarySchedule anniversary, OccurrenceKind.Reminder) when occurrence.Reminder is { } reminder:
                var year = Enumerable.Range(occurrence.EventAt.Year - 1, 3)
                    .FirstOrDefault(y => OccurrenceKey.ForAnniversary(Id, y, reminder) == occurrence.Key);
                if (year != 0)
                {
                    var local = anniversary.DateIn(year).At(anniversary.TimeOfDay);
                    return (EventId, EventKind.Anniversary, local, EventReminderFor(reminder, local), null);
                }

                break;
            case (TrialSchedule trial, OccurrenceKind.Reminder) when occurrence.Reminder is { } reminder
                && OccurrenceKey.ForHearing(Id, trial.Hearing, reminder) == occurrence.Key:
                return (EventId, EventKind.TrialDate, trial.Hearing, EventReminderFor(reminder, trial.Hearing), null);
            case (TrialSchedule { Notice: { } notice } trial, var kind) when kind == notice.Kind
                && OccurrenceKey.ForNotice(Id, notice.Revision, notice.Kind) == occurrence.Key:
                var noticeId = EventId.Parse($"{Id}-r{notice.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                var eventKind = kind == OccurrenceKind.HearingMoved ? EventKind.TrialPostponed : EventKind.TrialCancelled;
                return (noticeId, eventKind, trial.Hearing, EventReminder.Immediate, notice.PreviousHearing);
        }

        throw new ArgumentException($"Occurrence '{occurrence.Key}' is not one of schedule '{Id}' as it now stands.", nameof(occurrence));
    }
}

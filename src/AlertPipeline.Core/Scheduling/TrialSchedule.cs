using NodaTime;

namespace AlertPipeline.Core.Scheduling;

/// <summary>Whether a hearing is still on.</summary>
public enum TrialStatus
{
    Scheduled,
    Cancelled,
}

/// <summary>
/// A notice made by the latest change to a hearing, due at the moment of the change.
/// </summary>
/// <param name="Kind"><see cref="OccurrenceKind.HearingMoved"/> or <see cref="OccurrenceKind.HearingCancelled"/>.</param>
/// <param name="Revision">The schedule revision that made it (keys the notice: "{id}|R{revision}|MOVED").</param>
/// <param name="DueAt">The moment of the change.</param>
/// <param name="PreviousHearing">For a move: the hearing's local date-time before it; null for a cancellation.</param>
public sealed record HearingNotice(OccurrenceKind Kind, int Revision, Instant DueAt, LocalDateTime? PreviousHearing = null);

/// <summary>The occurrences of one hearing: those that will fire, and reminders left out because their time had passed
/// before the schedule took effect (e.g. a 7-day reminder for a hearing postponed to 3 days from now).</summary>
public sealed record TrialPlan(IReadOnlyList<ScheduledOccurrence> Active, IReadOnlyList<ScheduledOccurrence> Skipped);

/// <summary>
/// A one-off hearing at a local date and time in an IANA zone, with reminders, which can be postponed or cancelled.
/// </summary>
/// <remarks>
/// Occurrence keys are anchored on the hearing's local date-time ("{id}|H20250314T093000|P1D"), so recomputing an
/// unchanged hearing gives the same keys, and a postponement gives new ones. Only the notice of the latest change is
/// kept: a notice superseded before it fired is withdrawn by the next change.
/// </remarks>
public sealed record TrialSchedule : Schedule
{
    /// <param name="id">Schedule id.</param>
    /// <param name="hearing">Local date and time of the hearing.</param>
    /// <param name="zone">IANA zone of the court.</param>
    /// <param name="reminders">At least one reminder.</param>
    /// <param name="effectiveFrom">When this revision took effect; reminders due before it are skipped.</param>
    /// <param name="revision">0 when created; each postponement or cancellation adds one.</param>
    /// <param name="status">Scheduled or cancelled.</param>
    /// <param name="notice">The latest change's notice, if members are to be told.</param>
    public TrialSchedule(
        ScheduleId id,
        LocalDateTime hearing,
        DateTimeZone zone,
        IEnumerable<Reminder> reminders,
        Instant? effectiveFrom = null,
        int revision = 0,
        TrialStatus status = TrialStatus.Scheduled,
        HearingNotice? notice = null)
        : base(id, zone, reminders, effectiveFrom)
    {
        if (revision < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(revision), revision, "The revision must not be negative.");
        }

        if (!Enum.IsDefined(status))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown trial status.");
        }

        EnsureRemindersPrecede(Reminders, hearing.TimeOfDay, "hearing");
        if (notice is not null)
        {
            ValidateNotice(notice, revision, status, effectiveFrom);
        }

        Hearing = hearing;
        Revision = revision;
        Status = status;
        Notice = notice;
    }

    /// <summary>The hearing's local date and time, as the organiser set it.</summary>
    public LocalDateTime Hearing { get; }

    /// <summary>The hearing resolved in <see cref="Schedule.Zone"/>.</summary>
    public ZonedDateTime HearingAt => ScheduleTime.Resolve(Hearing, Zone);

    public int Revision { get; }

    public TrialStatus Status { get; }

    public HearingNotice? Notice { get; }

    /// <summary>All occurrences of this revision, earliest first. A cancelled hearing has only its notice, if any.</summary>
    public TrialPlan Plan()
    {
        var active = new List<ScheduledOccurrence>();
        var skipped = new List<ScheduledOccurrence>();
        var hearingAt = HearingAt;
        if (Status == TrialStatus.Scheduled)
        {
            foreach (var reminder in Reminders)
            {
                var fireAt = reminder.FireAt(Hearing, hearingAt);
                var occurrence = new ScheduledOccurrence(
                    OccurrenceKey.ForHearing(Id, Hearing, reminder), Id, OccurrenceKind.Reminder, reminder, fireAt, hearingAt);
                (IsEffective(fireAt) ? active : skipped).Add(occurrence);
            }
        }

        if (Notice is { } notice)
        {
            active.Add(new ScheduledOccurrence(
                OccurrenceKey.ForNotice(Id, notice.Revision, notice.Kind),
                Id,
                notice.Kind,
                null,
                notice.DueAt,
                hearingAt,
                notice.PreviousHearing is { } previous ? ScheduleTime.Resolve(previous, Zone) : null));
        }

        active.Sort(OccurrenceOrder.Instance);
        skipped.Sort(OccurrenceOrder.Instance);
        return new TrialPlan(active, skipped);
    }

    public override IEnumerable<ScheduledOccurrence> OccurrencesBetween(Instant after, Instant upTo) =>
        Plan().Active.Where(o => o.FireAt > after && o.FireAt <= upTo);

    /// <summary>
    /// Moves the hearing to <paramref name="newHearing"/> (later or earlier, same zone). Reminders of the old date that
    /// have not fired are withdrawn; fired ones are untouched; the reminders are recomputed for the new date, except those
    /// whose time is already before <paramref name="now"/> (skipped, not missed). With <paramref name="notify"/>, a
    /// "hearing moved" notice is due at <paramref name="now"/>.
    /// </summary>
    /// <param name="newHearing">The new local date and time; must be after <paramref name="now"/> and differ from the current one.</param>
    /// <param name="now">The moment of the change.</param>
    /// <param name="firedKeys">Keys already claimed by the tick (fired, or recorded as missed).</param>
    /// <param name="notify">Whether to tell members the hearing moved.</param>
    /// <exception cref="InvalidOperationException">The hearing is cancelled, or <paramref name="now"/> is before the last change.</exception>
    /// <exception cref="ArgumentException">The new time is not in the future or equals the current one.</exception>
    public TrialChange Postpone(LocalDateTime newHearing, Instant now, IReadOnlySet<OccurrenceKey> firedKeys, bool notify)
    {
        ArgumentNullException.ThrowIfNull(firedKeys);
        EnsureChangeable(now);
        if (newHearing == Hearing)
        {
            throw new ArgumentException($"Trial '{Id}' is already at {Hearing:uuuu-MM-dd HH:mm}; nothing to postpone.", nameof(newHearing));
        }

        var newAt = ScheduleTime.Resolve(newHearing, Zone);
        if (newAt.ToInstant() <= now)
        {
            throw new ArgumentException(
                $"Trial '{Id}' cannot be moved to {newHearing:uuuu-MM-dd HH:mm} ({Zone.Id}): that is not after now ({now}).",
                nameof(newHearing));
        }

        var revision = Revision + 1;
        var notice = notify ? new HearingNotice(OccurrenceKind.HearingMoved, revision, now, Hearing) : null;
        var updated = new TrialSchedule(Id, newHearing, Zone, Reminders, now, revision, TrialStatus.Scheduled, notice);
        return TrialChange.Between(this, updated, firedKeys);
    }

    /// <summary>
    /// Cancels the hearing: reminders that have not fired are withdrawn, fired ones are untouched. With
    /// <paramref name="notify"/>, a "hearing cancelled" notice is due at <paramref name="now"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already cancelled, or <paramref name="now"/> is before the last change.</exception>
    public TrialChange Cancel(Instant now, IReadOnlySet<OccurrenceKey> firedKeys, bool notify)
    {
        ArgumentNullException.ThrowIfNull(firedKeys);
        EnsureChangeable(now);
        var revision = Revision + 1;
        var notice = notify ? new HearingNotice(OccurrenceKind.HearingCancelled, revision, now) : null;
        var updated = new TrialSchedule(Id, Hearing, Zone, Reminders, now, revision, TrialStatus.Cancelled, notice);
        return TrialChange.Between(this, updated, firedKeys);
    }

    private void EnsureChangeable(Instant now)
    {
        if (Status == TrialStatus.Cancelled)
        {
            throw new InvalidOperationException($"Trial '{Id}' is cancelled; it cannot be changed.");
        }

        if (EffectiveFrom is { } from && now < from)
        {
            throw new InvalidOperationException(
                $"Trial '{Id}' was last changed at {from}; a change at {now} would go back in time.");
        }
    }

    private static void ValidateNotice(HearingNotice notice, int revision, TrialStatus status, Instant? effectiveFrom)
    {
        var expected = status == TrialStatus.Cancelled ? OccurrenceKind.HearingCancelled : OccurrenceKind.HearingMoved;
        if (notice.Kind != expected)
        {
            throw new ArgumentException($"A {status} hearing's notice must be {expected}, not {notice.Kind}.", nameof(notice));
        }

        if (notice.Revision != revision || revision == 0)
        {
            throw new ArgumentException(
                $"The notice belongs to revision {notice.Revision}, but the schedule is at revision {revision}.", nameof(notice));
        }

        if (notice.Kind == OccurrenceKind.HearingMoved && notice.PreviousHearing is null)
        {
            throw new ArgumentException("A hearing-moved notice needs the previous hearing time.", nameof(notice));
        }

        if (effectiveFrom is { } from && notice.DueAt < from)
        {
            throw new ArgumentException($"The notice is due at {notice.DueAt}, before the revision took effect ({from}).", nameof(notice));
        }
    }
}

/// <summary>
/// The outcome of postponing or cancelling a hearing, for the caller to apply: store <see cref="Schedule"/>, delete or
/// mark <see cref="Withdrawn"/> (if it keeps pending rows), and leave <see cref="AlreadyFired"/> alone.
/// </summary>
/// <param name="Schedule">The new revision of the schedule.</param>
/// <param name="Withdrawn">Occurrences of the previous revision that had not fired and are no longer planned.</param>
/// <param name="AlreadyFired">Keys (old or new plan) already claimed: untouched.</param>
/// <param name="Pending">The new revision's occurrences not yet fired, notice included, earliest first.</param>
/// <param name="Skipped">New-date reminders whose time was already past at the change: not sent, not missed.</param>
/// <param name="Notice">The "moved"/"cancelled" notice, due at the moment of the change; null without notification.</param>
public sealed record TrialChange(
    TrialSchedule Schedule,
    IReadOnlyList<ScheduledOccurrence> Withdrawn,
    IReadOnlyList<OccurrenceKey> AlreadyFired,
    IReadOnlyList<ScheduledOccurrence> Pending,
    IReadOnlyList<ScheduledOccurrence> Skipped,
    ScheduledOccurrence? Notice)
{
    internal static TrialChange Between(TrialSchedule previous, TrialSchedule updated, IReadOnlySet<OccurrenceKey> firedKeys)
    {
        var before = previous.Plan();
        var after = updated.Plan();
        var planned = after.Active.Select(o => o.Key).ToHashSet();

        var withdrawn = before.Active.Where(o => !firedKeys.Contains(o.Key) && !planned.Contains(o.Key)).ToList();
        var alreadyFired = before.Active.Concat(after.Active)
            .Select(o => o.Key)
            .Where(firedKeys.Contains)
            .Distinct()
            .ToList();
        var pending = after.Active.Where(o => !firedKeys.Contains(o.Key)).ToList();
        var notice = after.Active.FirstOrDefault(o => o.Kind != OccurrenceKind.Reminder);
        return new TrialChange(updated, withdrawn, alreadyFired, pending, after.Skipped, notice);
    }
}

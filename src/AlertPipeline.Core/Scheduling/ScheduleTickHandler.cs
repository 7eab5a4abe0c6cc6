using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Scheduling.Ports;
using NodaTime;

namespace AlertPipeline.Core.Scheduling;

/// <summary>
/// The ScheduleTick (a timer, every minute, on any number of hosts) and the trial changes that feed it. Each tick reads
/// the active schedules page by page, plans with <see cref="SchedulePlanner.DueOccurrences(IEnumerable{Schedule}, Instant?, Instant, Duration, IReadOnlySet{OccurrenceKey}?)"/>,
/// claims every due occurrence in two phases (insert <see cref="OccurrenceState.Claimed"/>, enqueue the event through
/// <see cref="IAlertEventPublisher"/>, mark <see cref="OccurrenceState.Fired"/> with the claim's ETag), records missed ones
/// and then advances the shared last tick.
/// </summary>
/// <remarks>
/// A claim found still <see cref="OccurrenceState.Claimed"/> after <see cref="ScheduleTickOptions.RedeliverAfter"/> (its
/// claimer died, or its enqueue failed) is enqueued again by whichever tick finds it while the occurrence is due, then
/// marked fired: an event may be enqueued twice (FanOut is idempotent per alert id), never lost. A storage or queue failure
/// stops the tick, is reported in <see cref="ScheduleTickResult.Problems"/>, and leaves the last tick where it was, so the
/// next tick covers the same window (claims make that safe).
/// </remarks>
public sealed class ScheduleTickHandler(
    IScheduleStore schedules,
    IScheduleOccurrenceStore occurrences,
    IScheduleTickStore ticks,
    IAlertEventPublisher publisher,
    TimeProvider timeProvider,
    ScheduleTickOptions options)
{
    public async Task<ScheduleTickResult> TickAsync(CancellationToken cancellationToken = default)
    {
        var now = Now();
        var lastTick = await ticks.GetLastTickAsync(cancellationToken).ConfigureAwait(false);
        var run = new TickRun(now, lastTick, options.GracePeriod);
        try
        {
            string? token = null;
            do
            {
                var page = await schedules.GetActivePageAsync(run.FiringAfter, options.PageSize, token, cancellationToken).ConfigureAwait(false);
                run.Problems.AddRange(page.Unreadable.Select(u => new ScheduleTickProblem($"schedule {u.ScheduleId}", u.Reason)));
                await FireAsync(page.Items, run, cancellationToken).ConfigureAwait(false);
                token = page.ContinuationToken;
            }
            while (token is not null);

            await ticks.AdvanceLastTickAsync(now, cancellationToken).ConfigureAwait(false);
            run.Advanced = true;
        }
        catch (Exception ex)
        {
            run.Problems.Add(new ScheduleTickProblem("tick", $"stopped by {ex.GetType().Name}: {ex.Message}"));
        }

        return run.ToResult();
    }

    /// <summary>
    /// Moves a hearing to <paramref name="newHearing"/> (same zone) with <see cref="TrialSchedule.Postpone"/>, from the keys
    /// already fired, and stores the new revision with its ETag. With <paramref name="notify"/>, the next tick fires the
    /// hearing-moved notice.
    /// </summary>
    /// <exception cref="ScheduleNotFoundException">No such schedule.</exception>
    /// <exception cref="ScheduleConcurrencyException">The schedule changed meanwhile; nothing was written.</exception>
    /// <exception cref="InvalidOperationException">It is not a trial, or it is cancelled.</exception>
    /// <exception cref="ArgumentException">The new time is not in the future, is unchanged, or notices lack templates.</exception>
    public Task<TrialChange> PostponeTrialAsync(ScheduleId scheduleId, LocalDateTime newHearing, bool notify, CancellationToken cancellationToken = default)
    {
        if (newHearing.Second != 0 || newHearing.TickOfSecond != 0)
        {
            throw new ArgumentException($"The new hearing time {newHearing:HH:mm:ss} must be whole minutes.", nameof(newHearing));
        }

        return ChangeTrialAsync(scheduleId, (trial, now, fired) => trial.Postpone(newHearing, now, fired, notify), cancellationToken);
    }

    /// <summary>Cancels a hearing with <see cref="TrialSchedule.Cancel"/>; with <paramref name="notify"/>, the next tick fires the notice.</summary>
    /// <exception cref="ScheduleNotFoundException">No such schedule.</exception>
    /// <exception cref="ScheduleConcurrencyException">The schedule changed meanwhile; nothing was written.</exception>
    /// <exception cref="InvalidOperationException">It is not a trial, or it is already cancelled.</exception>
    public Task<TrialChange> CancelTrialAsync(ScheduleId scheduleId, bool notify, CancellationToken cancellationToken = default) =>
        ChangeTrialAsync(scheduleId, (trial, now, fired) => trial.Cancel(now, fired, notify), cancellationToken);

    private async Task FireAsync(IReadOnlyList<StoredSchedule> page, TickRun run, CancellationToken cancellationToken)
    {
        var byId = page.ToDictionary(s => s.Schedule.Id, s => s.Schedule);
        var plan = SchedulePlanner.DueOccurrences(byId.Values.Select(s => s.Schedule), run.LastTick, run.Now, options.GracePeriod);
        foreach (var occurrence in plan.Due)
        {
            ScheduledAlertEvent alert;
            try
            {
                var alertEvent = byId[occurrence.ScheduleId].EventFor(occurrence, options.GracePeriod);
                alert = new ScheduledAlertEvent(occurrence.Key, AlertId.For(alertEvent), alertEvent);
            }
            catch (ArgumentException ex)
            {
                run.Problems.Add(new ScheduleTickProblem($"occurrence {occurrence.Key}", ex.Message));
                continue;
            }

            var claim = new OccurrenceRecord(occurrence.Key, OccurrenceState.Claimed, occurrence.FireAt, run.Now, alert.AlertId, alert.Event.EventId);
            var insert = await occurrences.InsertAsync(claim, cancellationToken).ConfigureAwait(false);
            if (insert.Inserted)
            {
                await PublishAndConfirmAsync(alert, insert.Current, cancellationToken).ConfigureAwait(false);
                run.Emitted.Add(alert);
            }
            else if (IsUnconfirmed(insert.Current, run.Now))
            {
                // The claimer died (or its enqueue failed) between claim and confirmation: enqueue again; FanOut dedups.
                await PublishAndConfirmAsync(alert, insert.Current, cancellationToken).ConfigureAwait(false);
                run.Redelivered.Add(alert);
            }
            else
            {
                run.AlreadyRecorded++;
            }
        }

        foreach (var occurrence in plan.Missed)
        {
            var record = new OccurrenceRecord(occurrence.Key, OccurrenceState.Missed, occurrence.FireAt, run.Now);
            var insert = await occurrences.InsertAsync(record, cancellationToken).ConfigureAwait(false);
            if (insert.Inserted)
            {
                run.Missed.Add(occurrence.Key);
                continue;
            }

            run.AlreadyRecorded++;
            if (insert.Current is { Record.State: OccurrenceState.Claimed } stuck)
            {
                // Past the grace period nothing is sent; say so once (the occurrence is missed exactly on this tick).
                run.Problems.Add(new ScheduleTickProblem(
                    $"occurrence {occurrence.Key}",
                    $"claimed at {stuck.Record.RecordedAt} as alert {stuck.Record.AlertId} but its enqueue was never confirmed within the grace period; left Claimed, not sent again"));
            }
        }
    }

    /// <summary>Enqueues the event, then marks the claim fired (ETag); losing that update means another host confirmed it.</summary>
    private async Task PublishAndConfirmAsync(ScheduledAlertEvent alert, StoredOccurrence? claim, CancellationToken cancellationToken)
    {
        await publisher.PublishAsync(alert.Event, cancellationToken).ConfigureAwait(false);
        if (claim is not null)
        {
            await occurrences.TryMarkFiredAsync(alert.Key, claim.ETag, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool IsUnconfirmed([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] StoredOccurrence? current, Instant now) =>
        current is { Record.State: OccurrenceState.Claimed } && now - current.Record.RecordedAt >= options.RedeliverAfter;

    private async Task<TrialChange> ChangeTrialAsync(
        ScheduleId scheduleId,
        Func<TrialSchedule, Instant, IReadOnlySet<OccurrenceKey>, TrialChange> change,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        var stored = await schedules.GetAsync(scheduleId, cancellationToken).ConfigureAwait(false)
            ?? throw new ScheduleNotFoundException(scheduleId);
        var trial = stored.Schedule.Schedule as TrialSchedule
            ?? throw new InvalidOperationException($"Schedule '{scheduleId}' is an anniversary, not a trial; only hearings can be postponed or cancelled.");
        var records = await occurrences.ListAsync(scheduleId, cancellationToken).ConfigureAwait(false);
        var fired = records.Where(r => r.State != OccurrenceState.Withdrawn).Select(r => r.Key).ToHashSet();
        var now = Now();
        var result = change(trial, now, fired);
        var updated = stored.Schedule.WithSchedule(result.Schedule);

        // Keys withdrawn by an earlier change and planned again (moved back to an earlier date) must be claimable again.
        var pending = result.Pending.Select(o => o.Key).ToHashSet();
        foreach (var record in records.Where(r => r.State == OccurrenceState.Withdrawn && pending.Contains(r.Key)))
        {
            await occurrences.ReinstateAsync(record.Key, cancellationToken).ConfigureAwait(false);
        }

        _ = await schedules.TryReplaceAsync(updated, stored.ETag, cancellationToken).ConfigureAwait(false)
            ?? throw new ScheduleConcurrencyException(scheduleId);

        // A tick that read the old revision may still try to claim these: the withdrawn record makes its claim lose.
        foreach (var withdrawn in result.Withdrawn)
        {
            await occurrences.TryRecordAsync(new OccurrenceRecord(withdrawn.Key, OccurrenceState.Withdrawn, withdrawn.FireAt, now), cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private Instant Now() => Instant.FromDateTimeOffset(timeProvider.GetUtcNow());

    private sealed class TickRun(Instant now, Instant? lastTick, Duration grace)
    {
        public Instant Now { get; } = now;

        public Instant? LastTick { get; } = lastTick;

        /// <summary>Nothing at or before this can be due or missed: min(lastTick, now) − grace.</summary>
        public Instant FiringAfter { get; } = (lastTick is { } last && last < now ? last : now) - grace;

        public List<ScheduledAlertEvent> Emitted { get; } = [];

        public List<ScheduledAlertEvent> Redelivered { get; } = [];

        public List<OccurrenceKey> Missed { get; } = [];

        public List<ScheduleTickProblem> Problems { get; } = [];

        public int AlreadyRecorded { get; set; }

        public bool Advanced { get; set; }

        public ScheduleTickResult ToResult() => new(Now, LastTick, Emitted, Missed, AlreadyRecorded, Problems, Advanced, Redelivered);
    }
}

using AlertPipeline.Core.Events;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Infrastructure.Pipeline;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// <c>ScheduleTick</c>: a timer on the schedule of the app setting <c>ScheduleTick:Schedule</c> (<c>ScheduleTick__Schedule</c>,
/// every minute: <c>0 */1 * * * *</c>). Runs <see cref="ScheduleTickHandler.TickAsync"/>, which enqueues the alert
/// event of every occurrence it claims on <c>alert-events</c> itself (no output binding: a claim is marked fired only after
/// the queue accepted its event, and an unconfirmed claim is redelivered by a later tick). Then it releases the SMS
/// dispatches deferred by quiet hours beyond what a dispatch can be scheduled for, once due (<see cref="DeferredDispatchReleaser"/>:
/// dispatch batches through <c>IDispatchQueue</c>); a release whose batch is lost is emitted again by a later tick while its
/// row is still Pending. Last, it re-drives poisoned fan-out chunks, poisoned dispatch messages and poisoned status callbacks
/// within their budgets (<see cref="FanOutChunkRedriver"/>, <see cref="DispatchRedrivers"/>, <see cref="StatusCallbackRedriver"/>).
/// It succeeds even when the tick or the release reports problems; they are logged and the next tick covers them again.
/// </summary>
public sealed class ScheduleTickFunction(
    ScheduleTickHandler handler, DeferredDispatchReleaser releaser, FanOutChunkRedriver redriver, DispatchRedrivers dispatchRedrivers,
    StatusCallbackRedriver statusRedriver, ILogger<ScheduleTickFunction> logger)
{
    public const string Name = "ScheduleTick";

    /// <summary>The app setting holding the NCRONTAB schedule.</summary>
    public const string ScheduleSetting = "ScheduleTick:Schedule";

    [Function(Name)]
    public async Task RunAsync([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var result = await handler.TickAsync(cancellationToken).ConfigureAwait(false);

        foreach (var emitted in result.Emitted)
        {
            ScheduleTickLog.Emitted(logger, emitted.Key.Value, emitted.AlertId.Value, emitted.Event.Kind.ToWireName());
        }

        foreach (var redelivered in result.Redelivered)
        {
            ScheduleTickLog.Redelivered(logger, redelivered.Key.Value, redelivered.AlertId.Value, redelivered.Event.Kind.ToWireName());
        }

        foreach (var problem in result.Problems)
        {
            ScheduleTickLog.Problem(logger, problem.Subject, problem.Reason);
        }

        ScheduleTickLog.Completed(
            logger, result.Now.ToString(), result.Emitted.Count, result.Redelivered.Count, result.Missed.Count, result.AlreadyRecorded,
            result.Problems.Count, result.LastTickAdvanced, timer.IsPastDue);

        try
        {
            var release = await releaser.ReleaseAsync(cancellationToken).ConfigureAwait(false);
            foreach (var problem in release.Problems)
            {
                ScheduleTickLog.ReleaseProblem(logger, problem.Key.Value, problem.Reason);
            }

            if (release.Dispatched + release.Removed + release.Postponed + release.Problems.Count > 0)
            {
                ScheduleTickLog.Released(logger, release.Released, release.Reemitted, release.Removed, release.Postponed, release.Problems.Count);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Entries not yet moved stay due for the next tick; moved ones are re-emitted at their re-check.
            ScheduleTickLog.ReleaseFailed(logger, ex.GetType().Name, ex.Message);
        }

        // The poisoned items stay where they are when a pass fails; the next tick tries again.
        await RedriveAsync(redriver.RedriveAsync, r => ScheduleTickLog.ChunksRedriven(logger, r.Redriven, r.GivenUp, r.Kept), t => ScheduleTickLog.RedriveFailed(logger, t), cancellationToken).ConfigureAwait(false);
        await RedriveAsync(dispatchRedrivers.RedriveAsync, r => ScheduleTickLog.BatchesRedriven(logger, r.Redriven, r.GivenUp, r.Kept), t => ScheduleTickLog.DispatchRedriveFailed(logger, t), cancellationToken).ConfigureAwait(false);
        await RedriveAsync(statusRedriver.RedriveAsync, r => ScheduleTickLog.StatusesRedriven(logger, r.Redriven, r.GivenUp, r.Kept), t => ScheduleTickLog.StatusRedriveFailed(logger, t), cancellationToken).ConfigureAwait(false);
    }

    private static async Task RedriveAsync(
        Func<CancellationToken, Task<PoisonRedriveResult>> pass, Action<PoisonRedriveResult> done, Action<string> failed, CancellationToken cancellationToken)
    {
        try
        {
            var result = await pass(cancellationToken).ConfigureAwait(false);
            if (result.Redriven + result.GivenUp + result.Kept > 0)
            {
                done(result);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failed(ex.GetType().Name);
        }
    }
}

internal static partial class ScheduleTickLog
{
    [LoggerMessage(EventId = 520, Level = LogLevel.Warning, Message = "ScheduleTick re-drove {Redriven} poisoned fan-out chunks; {GivenUp} past their re-drive budget stay poisoned (fan-out incomplete); {Unreadable} poison messages are not chunks")]
    public static partial void ChunksRedriven(ILogger logger, int redriven, int givenUp, int unreadable);

    [LoggerMessage(EventId = 521, Level = LogLevel.Warning, Message = "ScheduleTick could not re-drive poisoned fan-out chunks ({ExceptionType}); the next tick tries again")]
    public static partial void RedriveFailed(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 522, Level = LogLevel.Warning, Message = "ScheduleTick re-drove {Redriven} poisoned dispatch messages; {GivenUp} past their re-drive budget stay poisoned (dispatch incomplete); {Kept} poison messages are not re-drivable (malformed)")]
    public static partial void BatchesRedriven(ILogger logger, int redriven, int givenUp, int kept);

    [LoggerMessage(EventId = 523, Level = LogLevel.Warning, Message = "ScheduleTick could not re-drive poisoned dispatch messages ({ExceptionType}); the next tick tries again")]
    public static partial void DispatchRedriveFailed(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 524, Level = LogLevel.Warning, Message = "ScheduleTick re-drove {Redriven} poisoned status callbacks; {GivenUp} past their re-drive budget stay poisoned (rows keep their last status); {Kept} poison messages are not re-drivable (malformed)")]
    public static partial void StatusesRedriven(ILogger logger, int redriven, int givenUp, int kept);

    [LoggerMessage(EventId = 525, Level = LogLevel.Warning, Message = "ScheduleTick could not re-drive poisoned status callbacks ({ExceptionType}); the next tick tries again")]
    public static partial void StatusRedriveFailed(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "ScheduleTick emitted occurrence {OccurrenceKey} as alert {AlertId} ({Kind})")]
    public static partial void Emitted(ILogger logger, string occurrenceKey, string alertId, string kind);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "ScheduleTick redelivered unconfirmed occurrence {OccurrenceKey} as alert {AlertId} ({Kind})")]
    public static partial void Redelivered(ILogger logger, string occurrenceKey, string alertId, string kind);

    [LoggerMessage(EventId = 504, Level = LogLevel.Information,
        Message = "ScheduleTick released deferred SMS: {Released} released, {Reemitted} re-emitted (row still pending), {Removed} done, {Postponed} postponed, {Problems} problems")]
    public static partial void Released(ILogger logger, int released, int reemitted, int removed, int postponed, int problems);

    [LoggerMessage(EventId = 505, Level = LogLevel.Warning, Message = "ScheduleTick could not release deferred SMS delivery {DeliveryKey}: {Reason}")]
    public static partial void ReleaseProblem(ILogger logger, string deliveryKey, string reason);

    [LoggerMessage(EventId = 506, Level = LogLevel.Warning, Message = "ScheduleTick could not read the deferred SMS dispatches ({ErrorType}): {Reason}; the next tick tries again")]
    public static partial void ReleaseFailed(ILogger logger, string errorType, string reason);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "ScheduleTick problem with {Subject}: {Reason}")]
    public static partial void Problem(ILogger logger, string subject, string reason);

    [LoggerMessage(EventId = 502, Level = LogLevel.Information,
        Message = "ScheduleTick at {Now}: {Emitted} emitted, {Redelivered} redelivered, {Missed} missed, {AlreadyRecorded} already recorded, {Problems} problems; last tick advanced: {Advanced}; past due: {IsPastDue}")]
    public static partial void Completed(
        ILogger logger, string now, int emitted, int redelivered, int missed, int alreadyRecorded, int problems, bool advanced, bool isPastDue);
}

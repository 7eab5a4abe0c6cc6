using System.Text.Json;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.CustomHandler;
using AlertPipeline.CustomHandler.Configuration;
using AlertPipeline.Functions.Hosting;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// <c>ScheduleTick</c>: a timer every minute. Runs <see cref="ScheduleTickHandler.TickAsync"/>, which enqueues the alert
/// event of every occurrence it claims on <c>alert-events</c> itself (no output binding: a claim is marked fired only after
/// the queue accepted its event, and an unconfirmed claim is redelivered by a later tick). It answers 200 even when the
/// tick reports problems; they are logged and the next tick covers the same window again.
/// </summary>
public sealed class ScheduleTickFunction(ScheduleTickHandler handler, ILogger<ScheduleTickFunction> logger) : IFunction
{
    public const string TimerBinding = "timer";

    public static FunctionDefinition Definition { get; } = new(
        "ScheduleTick",
        [
            new TimerTriggerBinding(TimerBinding, "0 */1 * * * *"),
        ]);

    public static FunctionRegistration Registration { get; } = FunctionRegistration.Invoked<ScheduleTickFunction>(Definition);

    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var timer = request.GetTimerInfo(TimerBinding);
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
        return new InvocationResponseBuilder().Build();
    }
}

internal static partial class ScheduleTickLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "ScheduleTick emitted occurrence {OccurrenceKey} as alert {AlertId} ({Kind})")]
    public static partial void Emitted(ILogger logger, string occurrenceKey, string alertId, string kind);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "ScheduleTick redelivered unconfirmed occurrence {OccurrenceKey} as alert {AlertId} ({Kind})")]
    public static partial void Redelivered(ILogger logger, string occurrenceKey, string alertId, string kind);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "ScheduleTick problem with {Subject}: {Reason}")]
    public static partial void Problem(ILogger logger, string subject, string reason);

    [LoggerMessage(EventId = 502, Level = LogLevel.Information,
        Message = "ScheduleTick at {Now}: {Emitted} emitted, {Redelivered} redelivered, {Missed} missed, {AlreadyRecorded} already recorded, {Problems} problems; last tick advanced: {Advanced}; past due: {IsPastDue}")]
    public static partial void Completed(
        ILogger logger, string now, int emitted, int redelivered, int missed, int alreadyRecorded, int problems, bool advanced, bool isPastDue);
}

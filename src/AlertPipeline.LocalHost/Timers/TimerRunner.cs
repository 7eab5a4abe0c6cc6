using AlertPipeline.LocalHost.Queues;
using AlertPipeline.LocalHost.Transport;

namespace AlertPipeline.LocalHost.Timers;

/// <summary>
/// Fires one timer function on its schedule, one invocation at a time, as the timer trigger does: <c>runOnStartup</c>
/// fires once at start; each invocation gets <c>{"Schedule":…,"ScheduleStatus":{"Last","Next","LastUpdated"},"IsPastDue":false}</c>
/// where Next is the occurrence being fired and Last the one before (0001-01-01 on the first). Status is kept in memory:
/// past-due detection across restarts (the storage schedule monitor) is not reproduced.
/// </summary>
internal sealed class TimerRunner
{
    private readonly string _functionName;
    private readonly string _bindingName;
    private readonly bool _runOnStartup;
    private readonly TimerSchedule _schedule;
    private readonly IFunctionTransport _transport;
    private readonly OutputWriter _outputs;
    private readonly IReadOnlyList<OutputTarget> _targets;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private DateTimeOffset _last;
    private DateTimeOffset _lastUpdated;
    private Task _loop = Task.CompletedTask;

    public TimerRunner(
        string functionName,
        string bindingName,
        bool runOnStartup,
        TimerSchedule schedule,
        IFunctionTransport transport,
        OutputWriter outputs,
        IReadOnlyList<OutputTarget> targets,
        TimeProvider time,
        ILogger logger)
    {
        _functionName = functionName;
        _bindingName = bindingName;
        _runOnStartup = runOnStartup;
        _schedule = schedule;
        _transport = transport;
        _outputs = outputs;
        _targets = targets;
        _time = time;
        _logger = logger;
        var zero = new DateTimeOffset(DateTime.MinValue, TimeSpan.Zero);
        _last = zero;
        _lastUpdated = zero;
    }

    public void Start(CancellationToken stopping, CancellationToken hardStop) =>
        _loop = Task.Run(() => RunAsync(stopping, hardStop), CancellationToken.None);

    /// <summary>Completes when the runner has stopped (after the invocation in progress, if any).</summary>
    public Task DrainAsync() => _loop;

    private async Task RunAsync(CancellationToken stopping, CancellationToken hardStop)
    {
        var next = _schedule.GetNextOccurrence(_time.GetUtcNow());
        if (next is { } first)
        {
            LocalHostLog.TimerScheduled(_logger, _functionName, _schedule.ToString() ?? string.Empty, ZoneName(), first);
        }

        try
        {
            if (_runOnStartup && next is { } startupNext)
            {
                await InvokeAsync(startupNext, fired: _time.GetUtcNow(), hardStop).ConfigureAwait(false);
            }

            while (next is { } occurrence && !stopping.IsCancellationRequested)
            {
                // Timers may wake a little early: wait until the occurrence has really come.
                for (var now = _time.GetUtcNow(); now < occurrence; now = _time.GetUtcNow())
                {
                    await Task.Delay(occurrence - now, _time, stopping).ConfigureAwait(false);
                }

                await InvokeAsync(occurrence, occurrence, hardStop).ConfigureAwait(false);
                var after = _time.GetUtcNow();
                next = _schedule.GetNextOccurrence(after > occurrence ? after : occurrence);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested || hardStop.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task InvokeAsync(DateTimeOffset next, DateTimeOffset fired, CancellationToken hardStop)
    {
        LocalHostLog.TimerFired(_logger, _functionName, fired);
        var trigger = new TimerTriggerInput(_bindingName, new TimerStatus(_last, next, _lastUpdated), IsPastDue: false);
        var outcome = await _transport.InvokeAsync(_functionName, trigger, hardStop).ConfigureAwait(false);
        if (outcome.Succeeded)
        {
            try
            {
                await _outputs.WriteAsync(_functionName, _targets, outcome.Outputs!, hardStop).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LocalHostLog.TimerFailed(_logger, _functionName, $"writing an output failed ({ex.GetType().Name})");
            }
        }
        else if (!outcome.Abandoned)
        {
            LocalHostLog.TimerFailed(_logger, _functionName, outcome.FailureReason ?? "failed");
        }

        _last = next;
        _lastUpdated = _time.GetUtcNow();
    }

    private string ZoneName() => _schedule is CronTimerSchedule cron ? cron.TimeZone.Id : "interval";
}

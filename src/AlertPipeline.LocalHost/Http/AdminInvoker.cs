using System.Collections.Concurrent;
using AlertPipeline.LocalHost.Queues;
using AlertPipeline.LocalHost.Transport;
using Microsoft.AspNetCore.Http;

namespace AlertPipeline.LocalHost.Http;

/// <summary>
/// The Functions host's admin API for running a non-HTTP function now: <c>POST /admin/functions/{name}</c> with a JSON
/// object body (<c>{"input": "…"}</c>, or <c>{}</c>) answers 202 Accepted at once and runs the function in the
/// background, as Azure does. Locally no key is needed (as with Core Tools; in Azure the master key goes in
/// <c>x-functions-key</c>). Disabled functions run too (Azure runs them with the master key). Timer functions only: a timer
/// invocation gets <c>ScheduleStatus: null</c> and <c>IsPastDue: false</c> (the input is ignored), and its outputs are
/// written as after a scheduled run. Unknown name → 404; a function with another trigger → 400 naming it.
/// </summary>
internal sealed class AdminInvoker(
    IReadOnlyList<TimerPlan> timers,
    IReadOnlyDictionary<string, string> triggerTypes,
    IFunctionTransport transport,
    OutputWriter outputs,
    ILogger logger,
    CancellationToken hardStop)
{
    private readonly Dictionary<string, TimerPlan> _timers = timers.ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    /// <summary>Starts the function in the background; returns the HTTP status and, on refusal, why.</summary>
    public (int Status, string? Problem) Start(string name)
    {
        if (!_timers.TryGetValue(name, out var timer))
        {
            return triggerTypes.TryGetValue(name, out var type)
                ? (StatusCodes.Status400BadRequest, $"Function '{name}' has a {type}; the local host runs only timer functions through the admin API.")
                : (StatusCodes.Status404NotFound, $"No function named '{name}'.");
        }

        LocalHostLog.AdminInvoked(logger, timer.Name);
        var task = Task.Run(() => InvokeAsync(timer), CancellationToken.None);
        _running.TryAdd(task, 0);
        _ = task.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return (StatusCodes.Status202Accepted, null);
    }

    /// <summary>Completes when every admin invocation started so far has finished.</summary>
    public Task DrainAsync() => Task.WhenAll(_running.Keys);

    private async Task InvokeAsync(TimerPlan timer)
    {
        try
        {
            var trigger = new TimerTriggerInput(timer.Binding.Name, Status: null, IsPastDue: false);
            var outcome = await transport.InvokeAsync(timer.Name, trigger, hardStop).ConfigureAwait(false);
            if (outcome.Succeeded)
            {
                await outputs.WriteAsync(timer.Name, timer.Outputs, outcome.Outputs!, hardStop).ConfigureAwait(false);
            }
            else if (!outcome.Abandoned)
            {
                LocalHostLog.TimerFailed(logger, timer.Name, outcome.FailureReason ?? "failed");
            }
        }
        catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            LocalHostLog.TimerFailed(logger, timer.Name, $"admin invocation failed ({ex.GetType().Name})");
        }
    }
}

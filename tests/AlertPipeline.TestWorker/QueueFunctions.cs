using System.Diagnostics;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace AlertPipeline.TestWorker;

/// <summary>Queue-triggered test functions, one per output kind. Queue names carry the per-test prefix setting.</summary>
public sealed class QueueFunctions(ILogger<QueueFunctions> logger)
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>No outputs: the benchmark's no-op.</summary>
    [Function("NoOp")]
    public void NoOp([QueueTrigger("%TestQueuePrefix%-noop")] string message) => _ = message;

    /// <summary>A <c>$return</c> queue output: one observation per message, with the trigger metadata.</summary>
    [Function("Record")]
    [QueueOutput("%TestQueuePrefix%-record-out")]
    public string Record([QueueTrigger("%TestQueuePrefix%-record")] string message, FunctionContext context) =>
        Observation.Of("Record", message, context).ToJson();

    /// <summary>A multi-output return type: two queue outputs from properties (one a string, one an array).</summary>
    [Function("MultiOutput")]
    public MultiOutputResult MultiOutput([QueueTrigger("%TestQueuePrefix%-multi")] string message, FunctionContext context) => new()
    {
        Observed = Observation.Of("MultiOutput", message, context).ToJson(),
        Copies = [message + "-a", message + "-b"],
    };

    /// <summary>An array of objects to one queue output: one message per element.</summary>
    [Function("FanOutArray")]
    [QueueOutput("%TestQueuePrefix%-fanout-out")]
    public FanOutItem[] FanOutArray([QueueTrigger("%TestQueuePrefix%-fanout")] string message)
    {
        var command = JsonSerializer.Deserialize<FanOutCommand>(message, Web) ?? throw new InvalidOperationException("The message is JSON null.");
        return [.. Enumerable.Range(0, command.Count).Select(i => new FanOutItem(i, command.Count, command.Tag))];
    }

    /// <summary>Fails until <c>succeedOnAttempt</c> (or always with <c>alwaysFail</c>); then records the message.</summary>
    [Function("FailTimes")]
    [QueueOutput("%TestQueuePrefix%-failtimes-out")]
    public string FailTimes([QueueTrigger("%TestQueuePrefix%-failtimes")] string message, FunctionContext context)
    {
        var command = JsonSerializer.Deserialize<FailureCommand>(message, Web) ?? new FailureCommand(0, false);
        var attempt = Observation.Attempt(context);
        if (command.AlwaysFail || attempt < command.SucceedOnAttempt)
        {
            throw new InvalidOperationException($"FailTimes fails on attempt {attempt} as asked.");
        }

        return Observation.Of("FailTimes", message, context).ToJson();
    }

    /// <summary>Kills its own worker process on the first delivery (a crash mid-invocation); records the message after.</summary>
    [Function("CrashOnce")]
    [QueueOutput("%TestQueuePrefix%-crash-out")]
    public string CrashOnce([QueueTrigger("%TestQueuePrefix%-crash")] string message, FunctionContext context)
    {
        if (Observation.Attempt(context) <= 1)
        {
            Process.GetCurrentProcess().Kill();
        }

        return Observation.Of("CrashOnce", message, context).ToJson();
    }

    /// <summary>Sleeps <c>delayMs</c>, then records the message: for visibility renewal and shutdown tests.</summary>
    [Function("Slow")]
    [QueueOutput("%TestQueuePrefix%-slow-out")]
    public async Task<string> Slow([QueueTrigger("%TestQueuePrefix%-slow")] string message, FunctionContext context)
    {
        var command = JsonSerializer.Deserialize<SlowCommand>(message, Web) ?? new SlowCommand(0);
        await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(command.DelayMs, 0, 900_000)), context.CancellationToken);
        return Observation.Of("Slow", message, context).ToJson();
    }

    /// <summary>
    /// Logs the message id and insertion time, and (a mistake the host must catch) a phone number and an email: the host's
    /// log must keep the id and time and mask the personal data.
    /// </summary>
    [Function("LogLines")]
    [QueueOutput("%TestQueuePrefix%-log-out")]
    public string LogLines([QueueTrigger("%TestQueuePrefix%-log")] string message, FunctionContext context)
    {
        var observation = Observation.Of("LogLines", message, context);
        logger.LogInformation(
            "LogLines handled message {MessageId} inserted at {InsertionTime}; contact +44 7700 900123 / member@example.org",
            observation.Id, observation.InsertionTime);
        return observation.ToJson();
    }
}

/// <summary>MultiOutput's return type: each property is its own queue output binding.</summary>
public sealed class MultiOutputResult
{
    [QueueOutput("%TestQueuePrefix%-multi-observed")]
    public string? Observed { get; init; }

    [QueueOutput("%TestQueuePrefix%-multi-copies")]
    public string[]? Copies { get; init; }
}

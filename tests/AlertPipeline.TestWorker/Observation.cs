using System.Globalization;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.TestWorker;

/// <summary>What a queue-triggered test function saw: the message text and the trigger metadata the host sent.</summary>
public sealed record Observation(
    string Function,
    string Text,
    string? Id,
    long DequeueCount,
    string? InsertionTime,
    string? ExpirationTime,
    string? NextVisibleTime,
    string? PopReceipt)
{
    public static Observation Of(string function, string text, FunctionContext context)
    {
        var data = context.BindingContext.BindingData;
        string? Get(string key) => data.TryGetValue(key, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
        var dequeueCount = long.TryParse(Get("DequeueCount"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count : 0;
        return new Observation(
            function, text, Get("Id"), dequeueCount, Unquote(Get("InsertionTime")), Unquote(Get("ExpirationTime")),
            Unquote(Get("NextVisibleTime")), Get("PopReceipt"));
    }

    /// <summary>The delivery attempt (DequeueCount) the host sent with this invocation.</summary>
    public static long Attempt(FunctionContext context) => Of(string.Empty, string.Empty, context).DequeueCount;

    public string ToJson() => JsonSerializer.Serialize(this);

    // Times arrive as JSON (quoted) date strings.
    private static string? Unquote(string? value) => value is ['"', .., '"'] ? value[1..^1] : value;
}

/// <summary>The command a FanOutArray message carries.</summary>
public sealed record FanOutCommand(int Count, string? Tag);

/// <summary>One element of FanOutArray's output.</summary>
public sealed record FanOutItem(int Index, int Count, string? Tag);

/// <summary>The command FailTimes and CrashOnce read: fail until this attempt, or always.</summary>
public sealed record FailureCommand(int SucceedOnAttempt, bool AlwaysFail);

/// <summary>The command Slow reads.</summary>
public sealed record SlowCommand(int DelayMs);

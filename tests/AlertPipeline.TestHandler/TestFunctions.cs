using System.Text.Json;
using AlertPipeline.CustomHandler;

namespace AlertPipeline.TestHandler;

/// <summary>The test functions. Output binding names match app/&lt;Name&gt;/function.json; see app/README.md.</summary>
internal static class TestFunctions
{
    /// <summary>Succeeds with no outputs.</summary>
    public static Task<InvocationResponse> NoOp(InvocationRequest request, CancellationToken cancellationToken)
    {
        _ = request.GetMessageText("message");
        return Task.FromResult(InvocationResponse.Empty);
    }

    /// <summary>Writes one observation per invocation: the message text and its delivery attempt.</summary>
    public static Task<InvocationResponse> Record(InvocationRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new InvocationResponseBuilder()
            .AddOutput("observed", Observation.Of(request, "message"))
            .Log("Record observed one message")
            .Build());

    /// <summary>
    /// Fails while the delivery attempt is below <c>succeedOnAttempt</c>, or always with <c>alwaysFail: true</c>; on success
    /// writes an observation.
    /// </summary>
    public static Task<InvocationResponse> FailTimes(InvocationRequest request, CancellationToken cancellationToken)
    {
        FailIfAsked(request, "message");
        return Task.FromResult(new InvocationResponseBuilder().AddOutput("observed", Observation.Of(request, "message")).Build());
    }

    /// <summary>Returns an array of <c>count</c> objects to the output queue (one message per element).</summary>
    public static Task<InvocationResponse> FanOutArray(InvocationRequest request, CancellationToken cancellationToken)
    {
        var command = request.GetMessage<FanOutCommand>("message");
        if (command.Count is < 0 or > 1000)
        {
            throw new InvocationFailedException($"count must be 0..1000, not {command.Count}.");
        }

        var items = Enumerable.Range(0, command.Count).Select(i => new FanOutItem(i, command.Count, command.Tag));
        return Task.FromResult(new InvocationResponseBuilder().AddOutputs("items", items).Build());
    }

    /// <summary>Service Bus trigger: echoes an observation to the output Service Bus queue (honours succeedOnAttempt/alwaysFail).</summary>
    public static Task<InvocationResponse> ServiceBusEcho(InvocationRequest request, CancellationToken cancellationToken)
    {
        FailIfAsked(request, "message");
        return Task.FromResult(new InvocationResponseBuilder()
            .AddOutput("echo", Observation.Of(request, "message") with { MessageId = request.GetMetadataString(MetadataKeys.MessageId) })
            .Build());
    }

    /// <summary>Timer trigger: writes one tick per occurrence.</summary>
    public static Task<InvocationResponse> Tick(InvocationRequest request, CancellationToken cancellationToken)
    {
        var timer = request.GetTimerInfo("timer");
        var sys = request.GetMetadataElement(MetadataKeys.Sys);
        var utcNow = sys is { ValueKind: JsonValueKind.Object } s && s.TryGetProperty("UtcNow", out var now) ? now.GetString() : null;
        return Task.FromResult(new InvocationResponseBuilder()
            .AddOutput("ticks", new TickObservation("Tick", timer.IsPastDue, timer.ScheduleStatus?.Last, timer.ScheduleStatus?.Next, utcNow))
            .Build());
    }

    /// <summary>Sleeps <c>delayMs</c> (cancellable), then writes an observation: for visibility and lock renewal tests.</summary>
    public static async Task<InvocationResponse> Slow(InvocationRequest request, CancellationToken cancellationToken)
    {
        var command = request.GetMessage<SlowCommand>("message");
        await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(command.DelayMs, 0, 900_000)), cancellationToken);
        return new InvocationResponseBuilder().AddOutput("observed", Observation.Of(request, "message") with { SleptMs = command.DelayMs }).Build();
    }

    private static void FailIfAsked(InvocationRequest request, string bindingName)
    {
        var text = request.GetMessageText(bindingName);
        FailureCommand? command = null;
        if (text.TrimStart().StartsWith('{'))
        {
            try
            {
                command = JsonSerializer.Deserialize<FailureCommand>(text, CustomHandlerJson.MessageOptions);
            }
            catch (JsonException)
            {
                // Not a command: never fail.
            }
        }

        var attempt = request.GetDeliveryAttempt();
        if (command?.AlwaysFail == true)
        {
            throw new InvocationFailedException($"alwaysFail is set (attempt {attempt}).");
        }

        if (command?.SucceedOnAttempt is { } required && attempt < required)
        {
            throw new InvocationFailedException($"attempt {attempt} is below succeedOnAttempt {required}.");
        }
    }

    internal sealed record Observation(string Function, string Text, int Attempt, string? InvocationId)
    {
        public string? MessageId { get; init; }

        public int? SleptMs { get; init; }

        public static Observation Of(InvocationRequest request, string bindingName) =>
            new(request.FunctionName ?? "?", request.GetMessageText(bindingName), request.GetDeliveryAttempt(), request.InvocationId);
    }

    internal sealed record FanOutCommand(int Count, string? Tag);

    internal sealed record FanOutItem(int Index, int Of, string? Tag);

    internal sealed record SlowCommand(int DelayMs);

    internal sealed record FailureCommand(int? SucceedOnAttempt, bool AlwaysFail);

    internal sealed record TickObservation(string Function, bool IsPastDue, DateTimeOffset? Last, DateTimeOffset? Next, string? UtcNow);
}

using AlertPipeline.LocalHost.Http;
using Microsoft.AspNetCore.Http;

namespace AlertPipeline.LocalHost.Transport;

/// <summary>
/// How the host reaches the function app: it runs the app's process (restarting it when it dies), invokes a function with
/// a trigger value and answers with the function's outputs, and serves an HTTP-triggered function's request. Implemented
/// by <see cref="Grpc.GrpcWorkerTransport"/> (an isolated-worker app over the Functions host–worker gRPC protocol).
/// Listeners, timers and the HTTP server only talk to this.
/// </summary>
internal interface IFunctionTransport : IAsyncDisposable
{
    /// <summary>The app's process id while it runs.</summary>
    int? ProcessId { get; }

    /// <summary>How many times the app's process was restarted after dying.</summary>
    int Restarts { get; }

    /// <summary>Completes when the app can take invocations (at once when it is up).</summary>
    Task WaitUntilReadyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Invokes <paramref name="functionName"/> with <paramref name="trigger"/>. <paramref name="cancellationToken"/> is the
    /// host's hard stop: when it fires the outcome is <see cref="InvocationOutcome.Abandoned"/>.
    /// </summary>
    Task<InvocationOutcome> InvokeAsync(string functionName, TriggerInput trigger, CancellationToken cancellationToken);

    /// <summary>Serves one request to an HTTP-triggered function and writes its response (and its queue outputs).</summary>
    Task HandleHttpAsync(HttpFunction function, HttpContext context, Func<IInvocationOutputs, Task> writeOutputs);

    /// <summary>Stops the app's process (gracefully where the protocol allows). Safe to call more than once.</summary>
    Task StopAsync();
}

/// <summary>A trigger value for one invocation, keyed by the trigger binding's name.</summary>
internal abstract record TriggerInput(string BindingName);

/// <summary>A Storage queue message (its body already decoded from the queue's message encoding).</summary>
internal sealed record QueueTriggerInput(string BindingName, QueueMessageInfo Message, bool Binary) : TriggerInput(BindingName);

/// <summary>A message of a Service Bus queue mapped to an Azurite queue.</summary>
internal sealed record ServiceBusTriggerInput(string BindingName, ServiceBusMessageInfo Message, bool Binary) : TriggerInput(BindingName);

/// <summary>A timer occurrence: <paramref name="Status"/> is null for a run through the admin API.</summary>
internal sealed record TimerTriggerInput(string BindingName, TimerStatus? Status, bool IsPastDue) : TriggerInput(BindingName);

/// <summary>A received queue message as the queue trigger binds it.</summary>
internal sealed record QueueMessageInfo(
    string Id,
    ReadOnlyMemory<byte> Body,
    long DequeueCount,
    DateTimeOffset? InsertionTime,
    DateTimeOffset? ExpirationTime,
    DateTimeOffset? NextVisibleTime,
    string PopReceipt);

/// <summary>A Service Bus message stand-in (from an Azurite queue message).</summary>
internal sealed record ServiceBusMessageInfo(
    string MessageId,
    ReadOnlyMemory<byte> Body,
    int DeliveryCount,
    long SequenceNumber,
    DateTimeOffset? EnqueuedTime,
    DateTimeOffset? ExpiresAt,
    string LockToken);

/// <summary>The timer trigger's schedule status (WebJobs <c>ScheduleStatus</c>).</summary>
internal sealed record TimerStatus(DateTimeOffset Last, DateTimeOffset Next, DateTimeOffset LastUpdated);

/// <summary>A successful invocation's output values, as the messages the host writes for an output binding.</summary>
internal interface IInvocationOutputs
{
    /// <summary>
    /// The message bodies for output binding <paramref name="bindingName"/> (<c>$return</c> for the return value): none
    /// when it has no value; one per element for an array.
    /// </summary>
    IReadOnlyList<ReadOnlyMemory<byte>> GetOutputMessages(string bindingName, bool binary);
}

/// <summary>The result of one invocation: the function's outputs, or why it failed.</summary>
internal sealed record InvocationOutcome
{
    public IInvocationOutputs? Outputs { get; init; }

    /// <summary>Why it failed (safe to log: masked), or null on success.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The host stopped waiting because it is shutting down (hard stop), not because the function failed.</summary>
    public bool Abandoned { get; init; }

    public bool Succeeded => Outputs is not null;

    public static InvocationOutcome Success(IInvocationOutputs outputs) => new() { Outputs = outputs };

    public static InvocationOutcome Failure(string reason) => new() { FailureReason = reason };

    public static InvocationOutcome Abandon(string reason) => new() { FailureReason = reason, Abandoned = true };
}

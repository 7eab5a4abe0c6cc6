using AlertPipeline.Core.Pipeline;

namespace AlertPipeline.Core.Ports;

/// <summary>
/// Where dispatch batches go: each batch to its channel's queue (<see cref="QueueNames.SmsDispatch"/> /
/// <see cref="QueueNames.EmailDispatch"/>). A <see cref="DispatchBatch.NotBefore"/> in the future is honoured by the
/// transport (Service Bus: <c>ScheduledEnqueueTime</c>; Storage queues: initial visibility, at most 7 days — the
/// ScheduleTick releases what lies further ahead). Chosen by <c>Pipeline:Dispatch:Transport</c>.
/// </summary>
public interface IDispatchQueue
{
    /// <summary>Sends every batch; returns when all are accepted by the queue (throws otherwise, so the caller's message is retried).</summary>
    Task SendAsync(IReadOnlyList<DispatchBatch> batches, CancellationToken cancellationToken = default);
}

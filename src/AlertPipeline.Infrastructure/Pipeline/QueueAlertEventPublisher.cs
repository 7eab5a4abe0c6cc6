using AlertPipeline.Core.Events;
using AlertPipeline.Core.Scheduling.Ports;

namespace AlertPipeline.Infrastructure.Pipeline;

/// <summary>
/// <see cref="IAlertEventPublisher"/> on the <c>alert-events</c> Storage queue through <see cref="PipelineQueues.PublishAsync"/>
/// (contract JSON, base64, as the FanOut trigger reads it). Returns once the queue service accepted the message.
/// </summary>
public sealed class QueueAlertEventPublisher(PipelineQueues queues) : IAlertEventPublisher
{
    public async Task PublishAsync(AlertEvent alertEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alertEvent);
        _ = await queues.PublishAsync(alertEvent, cancellationToken).ConfigureAwait(false);
    }
}

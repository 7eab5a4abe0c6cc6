using AlertPipeline.Core.Events;

namespace AlertPipeline.Core.Scheduling.Ports;

/// <summary>
/// Puts an alert event on <c>alert-events</c> for FanOut. Publishing one event twice is harmless (FanOut is idempotent per
/// alert id); returning normally means the queue accepted it, throwing means it may or may not have.
/// </summary>
public interface IAlertEventPublisher
{
    Task PublishAsync(AlertEvent alertEvent, CancellationToken cancellationToken = default);
}

using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Events;
using NodaTime;

namespace AlertPipeline.Core.Ports;

/// <summary>Validated alert events, stored once per alert id.</summary>
public interface IAlertStore
{
    /// <summary>Stores the alert unless one with its id exists; true when this call stored it.</summary>
    Task<bool> AddAsync(AlertRecord alert, CancellationToken cancellationToken = default);

    Task<AlertRecord?> GetAsync(AlertId alertId, CancellationToken cancellationToken = default);
}

/// <param name="ExpiredOnArrival">The event's expiry had passed when fan-out received it: nothing was dispatched.</param>
public sealed record AlertRecord(AlertId AlertId, AlertEvent Event, Instant ReceivedAt, bool ExpiredOnArrival)
{
    /// <summary>How the alert's deliveries are partitioned: chosen by fan-out before the alert is stored, never changed;
    /// an alert stored without one has <see cref="DeliveryLayout.Sixteen"/>.</summary>
    public DeliveryLayout Layout { get; init; } = DeliveryLayout.Sixteen;
}

/// <summary>Why alert events were refused (the bodies themselves go to the poison queue).</summary>
public interface IRejectedEventLog
{
    /// <summary>Records a rejection; recording the same body again (a retried invocation) must not fail.</summary>
    Task RecordAsync(RejectedEvent rejected, CancellationToken cancellationToken = default);
}

/// <param name="BodySha256">Lowercase hex SHA-256 of the UTF-8 body: links the record to the poison message.</param>
/// <param name="Errors">Every problem found, each naming its JSON path.</param>
/// <param name="MessageId">The queue message id, when the trigger gave one.</param>
public sealed record RejectedEvent(string BodySha256, int BodyLength, ValueList<ValidationError> Errors, Instant RejectedAt, string? MessageId);

using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Deliveries;

namespace AlertPipeline.Core.Ports;

/// <summary>
/// The Deliveries rows: one per (alert, channel, recipient). Every read-modify-write goes through an ETag, so two
/// senders can never both claim a row.
/// </summary>
public interface IDeliveryStore
{
    /// <summary>
    /// Inserts the rows (all of one alert) that do not exist yet, in batches, and leaves existing rows untouched. Returns one
    /// outcome per row, in order: whether it was added, and the status the stored row has now.
    /// </summary>
    Task<IReadOnlyList<DeliveryAddOutcome>> AddNewAsync(AlertId alertId, IReadOnlyList<DeliveryRecord> rows, CancellationToken cancellationToken = default);

    /// <summary>The row and its ETag, or null when it does not exist.</summary>
    Task<StoredDelivery?> GetAsync(DeliveryKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the row if its ETag still is <paramref name="etag"/>. Returns the stored row with its new ETag, or null
    /// when the row changed in between (HTTP 412): someone else got there first.
    /// </summary>
    Task<StoredDelivery?> TryUpdateAsync(DeliveryRecord row, string etag, CancellationToken cancellationToken = default);

    /// <summary>One page of an alert's rows (the delivery report), starting at <paramref name="continuationToken"/>.</summary>
    Task<DeliveryPage> GetPageAsync(AlertId alertId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default);
}

public sealed record StoredDelivery(DeliveryRecord Record, string ETag);

public sealed record DeliveryAddOutcome(DeliveryKey Key, bool Added, DeliveryStatus Status);

public sealed record DeliveryPage(IReadOnlyList<DeliveryRecord> Rows, string? ContinuationToken);

using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;

namespace AlertPipeline.Core.Ports;

/// <summary>
/// The Deliveries rows: one per (alert, channel, recipient). Every read-modify-write goes through an ETag, so two
/// senders can never both claim a row.
/// </summary>
public interface IDeliveryStore
{
    /// <summary>The most rows one <see cref="TryUpdateAllAsync"/> may replace (a table transaction's limit).</summary>
    const int MaxTransaction = 100;

    /// <summary>
    /// Inserts the rows (all of one alert) that do not exist yet, in batches, and leaves existing rows untouched. Returns one
    /// outcome per row, in order: whether it was added, and the status the stored row has now.
    /// </summary>
    Task<IReadOnlyList<DeliveryAddOutcome>> AddNewAsync(AlertId alertId, IReadOnlyList<DeliveryRecord> rows, CancellationToken cancellationToken = default);

    /// <summary>The row and its ETag, or null when it does not exist.</summary>
    Task<StoredDelivery?> GetAsync(DeliveryKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the row if its ETag still is <paramref name="etag"/>. Returns the stored row with its new ETag, or null
    /// when the row changed in between (HTTP 412): someone else got there first. A 412 caused by this very write (the
    /// storage client retried a request the table had already applied, its first answer lost) is not a change by someone
    /// else: when the stored row equals the one written (every write stamps its own <see cref="DeliveryRecord.UpdatedAt"/>)
    /// it is returned with its ETag.
    /// </summary>
    Task<StoredDelivery?> TryUpdateAsync(DeliveryRecord row, string etag, CancellationToken cancellationToken = default);

    /// <summary>The rows and their ETags (null where a row does not exist), in the order of <paramref name="keys"/>.</summary>
    Task<IReadOnlyList<StoredDelivery?>> GetManyAsync(IReadOnlyList<DeliveryKey> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces up to <see cref="MaxTransaction"/> rows of ONE partition (one alert and bucket, <see cref="DeliveryBuckets"/>)
    /// in one transaction, each conditional on its ETag: all or nothing. Returns the stored rows with their new ETags, in
    /// order, or null when any row changed in between or is gone (HTTP 412/404): then nothing was written.
    /// </summary>
    Task<IReadOnlyList<StoredDelivery>?> TryUpdateAllAsync(IReadOnlyList<(DeliveryRecord Row, string ETag)> updates, CancellationToken cancellationToken = default);

    /// <summary>One page of an alert's rows (the delivery report), starting at <paramref name="continuationToken"/>.</summary>
    Task<DeliveryPage> GetPageAsync(AlertId alertId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default);

    /// <summary>
    /// The report columns of the alert's rows of one union (<see cref="DeliveryRecord.Contact"/>'s union; rows without a
    /// contact are not any union's), in no particular order: the JSON delivery report adds them up. Exact, read when
    /// asked: the store filters by union and reads only these columns, so it moves far less than <see cref="GetPageAsync"/>.
    /// </summary>
    IAsyncEnumerable<ReportedRow> GetReportedRowsAsync(AlertId alertId, UnionId unionId, CancellationToken cancellationToken = default);
}

/// <summary>A stored row with the ETag its next conditional write needs.</summary>
public sealed record StoredDelivery(DeliveryRecord Record, string ETag)
{
    /// <summary>When the store wrote this version (its own clock: Table Storage's <c>Timestamp</c>); null when not read from the store.</summary>
    public NodaTime.Instant? StoredAt { get; init; }

    /// <summary>The same row version: the record and its ETag (<see cref="StoredAt"/> follows from the version and is known only when read).</summary>
    public bool Equals(StoredDelivery? other) => other is not null && Record == other.Record && ETag == other.ETag;

    public override int GetHashCode() => HashCode.Combine(Record, ETag);
}

public sealed record DeliveryAddOutcome(DeliveryKey Key, bool Added, DeliveryStatus Status);

public sealed record DeliveryPage(IReadOnlyList<DeliveryRecord> Rows, string? ContinuationToken);

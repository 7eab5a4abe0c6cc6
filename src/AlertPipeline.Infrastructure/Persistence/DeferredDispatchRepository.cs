using System.Globalization;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Ports;
using Azure.Data.Tables;
using NodaTime;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// DeferredDispatches (PK: the UTC hour of <c>DueAt</c>, <c>yyyyMMddHH</c>; RK: <c>{DueAt as yyyyMMddTHHmmss.fffffffZ}~{deliveryKey}</c>).
/// Both keys sort by time, so "everything due by now" is one range query
/// (<c>PartitionKey le '{hour of now}' and RowKey lt '{now}~~'</c>: earlier hours whole, this hour up to now; <c>~</c> sorts
/// after every character of a delivery key), and a due table that has been worked off is empty. Columns: <c>DeliveryKey</c>,
/// <c>DueAt</c> (also in the row key, which is authoritative), <c>NotBefore</c>, <c>Releases</c>, <c>ReleasedAt</c>. No personal data (the key holds the recipient hash).
/// </summary>
public sealed class DeferredDispatchRepository(PipelineTables tables) : IDeferredDispatchStore
{
    private const int MaxBatch = 100;
    private const string StampFormat = "yyyyMMdd'T'HHmmss'.'fffffff'Z'";

    public static string PartitionKey(Instant dueAt) => dueAt.ToDateTimeUtc().ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    public static string RowKey(Instant dueAt, DeliveryKey key) => EntityValues.Key(Stamp(dueAt), key.Value);

    public async Task AddAsync(IReadOnlyList<DeferredDispatch> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var table = await tables.GetAsync(PipelineTables.DeferredDispatches, cancellationToken).ConfigureAwait(false);
        foreach (var partition in entries.DistinctBy(e => (e.Key, e.DueAt)).GroupBy(e => PartitionKey(e.DueAt)))
        {
            foreach (var batch in partition.Chunk(MaxBatch))
            {
                await table.SubmitTransactionAsync(
                    batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, Write(e))), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<IReadOnlyList<DeferredDispatch>> GetDueAsync(Instant now, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var table = await tables.GetAsync(PipelineTables.DeferredDispatches, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {PartitionKey(now)} and RowKey lt {Stamp(now) + "~~"}");
        var due = new List<DeferredDispatch>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, Math.Min(max, 1000), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var entry = Read(entity);
            if (entry.DueAt <= now)
            {
                due.Add(entry);
            }

            if (due.Count >= max)
            {
                break;
            }
        }

        return due;
    }

    public async Task MoveAsync(DeferredDispatch entry, DeferredDispatch next, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(next);
        var table = await tables.GetAsync(PipelineTables.DeferredDispatches, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(Write(next), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        if (PartitionKey(entry.DueAt) != PartitionKey(next.DueAt) || RowKey(entry.DueAt, entry.Key) != RowKey(next.DueAt, next.Key))
        {
            await table.DeleteEntityAsync(PartitionKey(entry.DueAt), RowKey(entry.DueAt, entry.Key), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task RemoveAsync(DeferredDispatch entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await tables.GetAsync(PipelineTables.DeferredDispatches, cancellationToken).ConfigureAwait(false);
        await table.DeleteEntityAsync(PartitionKey(entry.DueAt), RowKey(entry.DueAt, entry.Key), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static string Stamp(Instant instant) => instant.ToDateTimeUtc().ToString(StampFormat, CultureInfo.InvariantCulture);

    /// <summary>DueAt from the row key's stamp (exact to the tick; the keys of a move or removal are rebuilt from it).</summary>
    private static Instant DueAtOf(TableEntity e) =>
        e.RowKey.Split(EntityValues.KeySeparator)[0] is var stamp
        && DateTime.TryParseExact(stamp, StampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)
            ? Instant.FromDateTimeUtc(DateTime.SpecifyKind(value, DateTimeKind.Utc))
            : throw EntityValues.Corrupt(e, "RowKey", "does not start with a yyyyMMddTHHmmss.fffffffZ stamp");

    private static TableEntity Write(DeferredDispatch e) => new(PartitionKey(e.DueAt), RowKey(e.DueAt, e.Key))
    {
        ["DeliveryKey"] = e.Key.Value,
        ["DueAt"] = e.DueAt.ToDateTimeOffset(),
        ["NotBefore"] = e.NotBefore.ToDateTimeOffset(),
        ["Releases"] = e.Releases,
        ["ReleasedAt"] = e.ReleasedAt.ToStored(),
    };

    private static DeferredDispatch Read(TableEntity e) => new(
        e.Parse("DeliveryKey", v => DeliveryKey.TryParse(v, out var key, out _) ? key : null),
        DueAtOf(e),
        e.Instant("NotBefore") ?? throw EntityValues.Corrupt(e, "NotBefore", "is missing"),
        e.GetInt32("Releases") ?? 0,
        e.Instant("ReleasedAt"));
}

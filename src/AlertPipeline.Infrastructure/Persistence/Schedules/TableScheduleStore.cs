using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Core.Scheduling.Ports;
using Azure.Data.Tables;
using Azure;
using NodaTime;

namespace AlertPipeline.Infrastructure.Persistence.Schedules;

/// <summary>
/// <see cref="IScheduleStore"/> on the <c>Schedules</c> table: PK <c>schedule</c>, RK schedule id (docs/storage.md).
/// Each write carries a fresh <c>WriteId</c>, so a write the pipeline retried after it had in fact succeeded (409/412 on
/// the retry) is recognised as ours rather than reported as a conflict.
/// </summary>
public sealed class TableScheduleStore : IScheduleStore, IScheduleCatalog
{
    internal const string WriteIdColumn = "WriteId";

    private readonly CreatedTable _table;

    public TableScheduleStore(TableClient table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = new CreatedTable(table);
    }

    public async Task<SchedulePage> GetActivePageAsync(
        Instant firingAfter, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ScheduleEntityMapper.Partition} and FiresUntil gt {firingAfter.ToDateTimeOffset()}");
        var page = await table.GetPageAsync(filter, pageSize, continuationToken, cancellationToken).ConfigureAwait(false);
        var items = new List<StoredSchedule>();
        var unreadable = new List<UnreadableSchedule>();
        foreach (var entity in page.Values)
        {
            try
            {
                items.Add(new StoredSchedule(ScheduleEntityMapper.FromEntity(entity), entity.ETag.ToString()));
            }
            catch (FormatException ex)
            {
                unreadable.Add(new UnreadableSchedule(entity.RowKey, ex.Message));
            }
        }

        return new SchedulePage(items, unreadable, page.ContinuationToken);
    }

    public async Task<StoredSchedule?> GetAsync(ScheduleId id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityOrNullAsync(ScheduleEntityMapper.Partition, id.Value, cancellationToken: cancellationToken).ConfigureAwait(false);
        return entity is null ? null : new StoredSchedule(ScheduleEntityMapper.FromEntity(entity), entity.ETag.ToString());
    }

    public async Task<StoredSchedule?> TryAddAsync(ScheduledAlert schedule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var entity = WithWriteId(schedule, out var writeId);
        try
        {
            var etag = (await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false)).NewETag();
            return new StoredSchedule(schedule, etag.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return await OursAfterConflictAsync(table, schedule, writeId, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<StoredSchedule?> TryReplaceAsync(ScheduledAlert schedule, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentException.ThrowIfNullOrEmpty(etag);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var entity = WithWriteId(schedule, out var writeId);
        try
        {
            var newETag = (await table.UpdateEntityAsync(entity, new ETag(etag), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false)).NewETag();
            return new StoredSchedule(schedule, newETag.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return await OursAfterConflictAsync(table, schedule, writeId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One range query on the <c>schedule</c> partition (RowKey prefix), then only rows of the campaign.</summary>
    public async Task<IReadOnlyList<StoredSchedule>> ListAsync(CampaignId campaignId, string idPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(campaignId);
        ArgumentException.ThrowIfNullOrEmpty(idPrefix);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {ScheduleEntityMapper.Partition} and RowKey ge {idPrefix} and RowKey lt {idPrefix[..^1] + (char)(idPrefix[^1] + 1)}");
        var items = new List<StoredSchedule>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entity.GetString("CampaignId") != campaignId.Value)
            {
                continue;
            }

            try
            {
                items.Add(new StoredSchedule(ScheduleEntityMapper.FromEntity(entity), entity.ETag.ToString()));
            }
            catch (FormatException)
            {
                // Reported by every tick (row and column named); a listing shows the readable ones.
            }
        }

        return items;
    }

    private static TableEntity WithWriteId(ScheduledAlert schedule, out string writeId)
    {
        var entity = ScheduleEntityMapper.ToEntity(schedule);
        writeId = Guid.NewGuid().ToString("N");
        entity[WriteIdColumn] = writeId;
        return entity;
    }

    private static async Task<StoredSchedule?> OursAfterConflictAsync(
        TableClient table, ScheduledAlert schedule, string writeId, CancellationToken cancellationToken)
    {
        var current = await table.GetEntityOrNullAsync(ScheduleEntityMapper.Partition, schedule.Id.Value, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return current is not null && current.GetString(WriteIdColumn) == writeId
            ? new StoredSchedule(schedule, current.ETag.ToString())
            : null;
    }
}

using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Core.Scheduling.Ports;
using Azure.Data.Tables;
using Azure;
using NodaTime;

namespace AlertPipeline.Infrastructure.Persistence.Schedules;

/// <summary>
/// <see cref="IScheduleOccurrenceStore"/> on the <c>FiredOccurrences</c> table: PK schedule id, RK occurrence key
/// (docs/storage.md). A record is written with an insert (<c>Add</c>): the first insert of a key wins and a 409 means
/// someone else holds it. Each insert carries a fresh <c>ClaimId</c>, so an insert retried by the pipeline after it had
/// in fact succeeded is still recognised as won. A <c>Claimed</c> record becomes <c>Fired</c> with an ETag-conditional
/// merge of <c>State</c> (the other columns, including the claim time in <c>RecordedAt</c>, stay).
/// </summary>
public sealed class TableScheduleOccurrenceStore : IScheduleOccurrenceStore
{
    internal const string ClaimIdColumn = "ClaimId";

    private readonly CreatedTable _table;

    public TableScheduleOccurrenceStore(TableClient table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = new CreatedTable(table);
    }

    public async Task<bool> TryRecordAsync(OccurrenceRecord record, CancellationToken cancellationToken = default) =>
        (await InsertAsync(record, cancellationToken).ConfigureAwait(false)).Inserted;

    public async Task<OccurrenceInsert> InsertAsync(OccurrenceRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var claimId = Guid.NewGuid().ToString("N");
        var entity = new TableEntity(record.Key.ScheduleId.Value, record.Key.Value)
        {
            ["State"] = record.State.ToString(),
            ["FireAt"] = record.FireAt.ToDateTimeOffset(),
            ["RecordedAt"] = record.RecordedAt.ToDateTimeOffset(),
            ["AlertId"] = record.AlertId?.Value,
            ["EventId"] = record.EventId?.Value,
            [ClaimIdColumn] = claimId,
        };
        try
        {
            var etag = (await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false)).NewETag();
            return new OccurrenceInsert(true, new StoredOccurrence(record, etag.ToString()));
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await table.GetEntityOrNullAsync(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            if (existing is null)
            {
                return new OccurrenceInsert(false, null);
            }

            // Our own insert, retried by the pipeline after it had landed, is still ours. A row that does not read back
            // (edited by hand) still holds the key; it is reported as held by someone, in an unknown state.
            var ours = existing.GetString(ClaimIdColumn) == claimId;
            try
            {
                return new OccurrenceInsert(ours, new StoredOccurrence(Read(existing), existing.ETag.ToString()));
            }
            catch (FormatException)
            {
                return new OccurrenceInsert(ours, null);
            }
        }
    }

    public async Task<bool> TryMarkFiredAsync(OccurrenceKey key, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(etag);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(key.ScheduleId.Value, key.Value)
        {
            ["State"] = nameof(OccurrenceState.Fired),
        };
        try
        {
            await table.UpdateEntityAsync(entity, new ETag(etag), TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<OccurrenceRecord>> ListAsync(ScheduleId scheduleId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<OccurrenceRecord>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {scheduleId.Value}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            records.Add(Read(entity));
        }

        return records;
    }

    public async Task<bool> ReinstateAsync(OccurrenceKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityOrNullAsync(key.ScheduleId.Value, key.Value, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (entity?.GetString("State") != nameof(OccurrenceState.Withdrawn))
        {
            return false;
        }

        try
        {
            return await table.DeleteEntityIfExistsAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    private static OccurrenceRecord Read(TableEntity entity)
    {
        try
        {
            return new OccurrenceRecord(
                OccurrenceKey.Parse(entity.RowKey),
                Enum.Parse<OccurrenceState>(entity.GetString("State") ?? throw new FormatException("State is missing")),
                Instant.FromDateTimeOffset(entity.GetDateTimeOffset("FireAt") ?? throw new FormatException("FireAt is missing")),
                Instant.FromDateTimeOffset(entity.GetDateTimeOffset("RecordedAt") ?? throw new FormatException("RecordedAt is missing")),
                entity.GetString("AlertId") is { } alertId ? AlertId.Parse(alertId) : null,
                entity.GetString("EventId") is { } eventId ? EventId.Parse(eventId) : null);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"FiredOccurrences row '{entity.PartitionKey}'/'{entity.RowKey}': {ex.Message}", ex);
        }
    }
}

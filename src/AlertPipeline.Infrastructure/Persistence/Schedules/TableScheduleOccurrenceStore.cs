using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Core.Scheduling.Ports;
using AlertPipeline.Infrastructure.Storage.Tables;
using NodaTime;

namespace AlertPipeline.Infrastructure.Persistence.Schedules;

/// <summary>
/// <see cref="IScheduleOccurrenceStore"/> on the <c>FiredOccurrences</c> table: PK schedule id, RK occurrence key
/// (docs/storage.md). A record is written with an insert (<c>Add</c>): the first insert of a key wins and a 409 means
/// someone else holds it. Each insert carries a fresh <c>ClaimId</c>, so an insert retried by the pipeline after it had
/// in fact succeeded is still recognised as won.
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

    public async Task<bool> TryRecordAsync(OccurrenceRecord record, CancellationToken cancellationToken = default)
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
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TableEntityAlreadyExistsException)
        {
            var existing = await table.GetEntityIfExistsAsync(entity.PartitionKey, entity.RowKey, [ClaimIdColumn], cancellationToken)
                .ConfigureAwait(false);
            return existing?.GetString(ClaimIdColumn) == claimId;
        }
    }

    public async Task<IReadOnlyList<OccurrenceRecord>> ListAsync(ScheduleId scheduleId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<OccurrenceRecord>();
        await foreach (var entity in table.QueryAsync(TableFilter.PartitionKeyEquals(scheduleId.Value), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            records.Add(Read(entity));
        }

        return records;
    }

    public async Task<bool> ReinstateAsync(OccurrenceKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityIfExistsAsync(key.ScheduleId.Value, key.Value, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (entity?.GetString("State") != nameof(OccurrenceState.Withdrawn))
        {
            return false;
        }

        try
        {
            return await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (TableConcurrencyException)
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

using AlertPipeline.Core.Scheduling.Ports;
using Azure;
using Azure.Data.Tables;
using NodaTime;

namespace AlertPipeline.Infrastructure.Persistence.Schedules;

/// <summary>
/// <see cref="IScheduleTickStore"/>: one row of the <c>Schedules</c> table (PK <c>tick</c>, RK <c>last</c>, column
/// <c>LastTick</c>), moved forward by an insert or an ETag-conditional replace and never backwards.
/// </summary>
public sealed class TableScheduleTickStore : IScheduleTickStore
{
    internal const string Partition = "tick";
    internal const string Row = "last";
    internal const string Column = "LastTick";

    /// <summary>Each attempt loses only when another host wrote in between, so a few attempts always suffice.</summary>
    private const int MaxAttempts = 10;

    private readonly CreatedTable _table;

    public TableScheduleTickStore(TableClient table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = new CreatedTable(table);
    }

    public async Task<Instant?> GetLastTickAsync(CancellationToken cancellationToken = default)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityOrNullAsync(Partition, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Read(entity);
    }

    public async Task<Instant> AdvanceLastTickAsync(Instant tick, CancellationToken cancellationToken = default)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var value = tick.ToDateTimeOffset();
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = await table.GetEntityOrNullAsync(Partition, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (Read(current) is { } stored && stored >= tick)
            {
                return stored;
            }

            var entity = new TableEntity(Partition, Row) { [Column] = value };
            try
            {
                if (current is null)
                {
                    await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await table.UpdateEntityAsync(entity, current.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }

                return tick;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
            {
                // Another host wrote in between (or our own retried write landed): read again; a later value stays.
            }
        }

        throw new InvalidOperationException($"The last tick could not be advanced to {tick} after {MaxAttempts} attempts: too many concurrent writers.");
    }

    private static Instant? Read(TableEntity? entity) =>
        entity?.GetDateTimeOffset(Column) is { } value ? Instant.FromDateTimeOffset(value) : null;
}

using Azure.Data.Tables;

namespace AlertPipeline.Infrastructure.Persistence.Schedules;

/// <summary>A table created on first use (once per process; concurrent creation by several hosts is harmless).</summary>
internal sealed class CreatedTable(TableClient table)
{
    private volatile bool _created;

    public string Name => table.Name;

    public async ValueTask<TableClient> GetAsync(CancellationToken cancellationToken)
    {
        if (!_created)
        {
            await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            _created = true;
        }

        return table;
    }
}

using System.Collections.Concurrent;
using Azure.Data.Tables;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// The pipeline's tables (docs/storage.md), each created once per process on first use (a failed creation is retried
/// on the next use) and optionally up front by <see cref="PipelineTablesInitializer"/>.
/// </summary>
public sealed class PipelineTables(TableServiceClient service, string prefix = "")
{
    public const string Unions = "Unions";
    public const string Branches = "Branches";
    public const string Contacts = "Contacts";
    public const string Campaigns = "Campaigns";
    public const string Subscriptions = "Subscriptions";
    public const string OptOuts = "OptOuts";
    public const string Alerts = "Alerts";
    public const string Deliveries = "Deliveries";
    public const string RejectedEvents = "RejectedEvents";
    public const string RecipientIndex = "RecipientIndex";
    public const string DeferredDispatches = "DeferredDispatches";
    public const string CampaignMembers = "CampaignMembers";
    public const string InboundMessages = "InboundMessages";
    public const string ImportJobs = "ImportJobs";
    public const string ImportJobLines = "ImportJobLines";
    public const string ProviderIds = "ProviderIds";
    public const string FanOutRedrives = "FanOutRedrives";
    public const string DispatchRedrives = "DispatchRedrives";
    public const string StatusRedrives = "StatusRedrives";

    public static IReadOnlyList<string> All { get; } =
        [Unions, Branches, Contacts, Campaigns, Subscriptions, OptOuts, Alerts, Deliveries, RejectedEvents, RecipientIndex, DeferredDispatches, CampaignMembers, InboundMessages, ImportJobs, ImportJobLines, ProviderIds, FanOutRedrives, DispatchRedrives, StatusRedrives];

    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);

    public string Prefix { get; } = prefix;

    /// <summary>The table's real name: the prefix and the logical name.</summary>
    public string NameOf(string table) => Prefix + table;

    /// <summary>The client of <paramref name="table"/> (one of the constants), creating the table the first time.</summary>
    public async Task<TableClient> GetAsync(string table, CancellationToken cancellationToken = default)
    {
        var lazy = _tables.GetOrAdd(table, name => new Lazy<Task<TableClient>>(() => CreateAsync(name)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _tables.TryRemove(new KeyValuePair<string, Lazy<Task<TableClient>>>(table, lazy));
            throw;
        }
    }

    /// <summary>Creates every table (idempotent).</summary>
    public async Task EnsureAllAsync(CancellationToken cancellationToken = default)
    {
        foreach (var table in All)
        {
            await GetAsync(table, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes every table (tests, demo resets).</summary>
    public async Task DeleteAllAsync(CancellationToken cancellationToken = default)
    {
        foreach (var table in All)
        {
            await service.DeleteTableAsync(NameOf(table), cancellationToken).ConfigureAwait(false);
            _tables.TryRemove(table, out _);
        }
    }

    private async Task<TableClient> CreateAsync(string table)
    {
        var client = service.GetTableClient(NameOf(table));
        await client.CreateIfNotExistsAsync(CancellationToken.None).ConfigureAwait(false);
        return client;
    }
}

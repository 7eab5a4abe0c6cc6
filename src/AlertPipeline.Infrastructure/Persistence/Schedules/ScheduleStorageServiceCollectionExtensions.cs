using AlertPipeline.Core.Scheduling.Ports;
using Azure.Data.Tables;
using AlertPipeline.Infrastructure.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlertPipeline.Infrastructure.Persistence.Schedules;

/// <summary>Table names of the schedule storage (defaults as in docs/storage.md; tests use unique names).</summary>
public sealed class ScheduleStorageOptions
{
    public string SchedulesTable { get; set; } = "Schedules";

    public string OccurrencesTable { get; set; } = "FiredOccurrences";
}

public static class ScheduleStorageServiceCollectionExtensions
{
    /// <summary>The app setting Azure Functions reads its storage connection from.</summary>
    public const string DefaultConnectionName = StorageServiceCollectionExtensions.DefaultConnectionName;

    /// <summary>
    /// Registers <see cref="IScheduleStore"/> (and <see cref="IScheduleCatalog"/>, the same <see cref="TableScheduleStore"/>), <see cref="IScheduleTickStore"/> and <see cref="IScheduleOccurrenceStore"/> on
    /// Table Storage, with the <see cref="TableServiceClient"/> of the <paramref name="connectionName"/> storage connection
    /// (<see cref="StorageServiceCollectionExtensions.AddStorageClients"/>: a connection string, or identity-based settings).
    /// </summary>
    public static IServiceCollection AddScheduleStorage(
        this IServiceCollection services,
        string connectionName = DefaultConnectionName,
        Action<ScheduleStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        var options = new ScheduleStorageOptions();
        configure?.Invoke(options);
        services.AddStorageClients(connectionName);
        services.TryAddSingleton(sp => new TableScheduleStore(Table(sp, connectionName, options.SchedulesTable)));
        services.TryAddSingleton<IScheduleStore>(sp => sp.GetRequiredService<TableScheduleStore>());
        services.TryAddSingleton<IScheduleCatalog>(sp => sp.GetRequiredService<TableScheduleStore>());
        services.TryAddSingleton<IScheduleTickStore>(sp => new TableScheduleTickStore(Table(sp, connectionName, options.SchedulesTable)));
        services.TryAddSingleton<IScheduleOccurrenceStore>(sp => new TableScheduleOccurrenceStore(Table(sp, connectionName, options.OccurrencesTable)));
        return services;
    }

    private static TableClient Table(IServiceProvider services, string connectionName, string name) =>
        services.TableService(connectionName).GetTableClient(name);
}

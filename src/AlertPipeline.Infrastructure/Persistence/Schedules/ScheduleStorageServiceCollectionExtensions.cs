using AlertPipeline.Core.Scheduling.Ports;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
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
    public const string DefaultConnectionName = "AzureWebJobsStorage";

    /// <summary>
    /// Registers <see cref="IScheduleStore"/> (and <see cref="IScheduleCatalog"/>, the same <see cref="TableScheduleStore"/>), <see cref="IScheduleTickStore"/> and <see cref="IScheduleOccurrenceStore"/> on
    /// Table Storage. Unless a <see cref="TableServiceClient"/> is registered already, one is created on first use from
    /// <c>ConnectionStrings:{name}</c> or <c>{name}</c> (connection string), or <c>{name}__tableServiceUri</c> (managed identity,
    /// optional <c>{name}__clientId</c>).
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
        services.TryAddSingleton(sp => CreateTableService(sp.GetRequiredService<IConfiguration>(), connectionName));
        services.TryAddSingleton(sp => new TableScheduleStore(Table(sp, options.SchedulesTable)));
        services.TryAddSingleton<IScheduleStore>(sp => sp.GetRequiredService<TableScheduleStore>());
        services.TryAddSingleton<IScheduleCatalog>(sp => sp.GetRequiredService<TableScheduleStore>());
        services.TryAddSingleton<IScheduleTickStore>(sp => new TableScheduleTickStore(Table(sp, options.SchedulesTable)));
        services.TryAddSingleton<IScheduleOccurrenceStore>(sp => new TableScheduleOccurrenceStore(Table(sp, options.OccurrencesTable)));
        return services;
    }

    private static TableClient Table(IServiceProvider services, string name) =>
        services.GetRequiredService<TableServiceClient>().GetTableClient(name);

    private static TableServiceClient CreateTableService(IConfiguration configuration, string connectionName)
    {
        var connectionString = configuration.GetConnectionString(connectionName) ?? configuration[connectionName];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new TableServiceClient(connectionString);
        }

        var section = configuration.GetSection(connectionName);
        if (Uri.TryCreate(section["tableServiceUri"], UriKind.Absolute, out var endpoint))
        {
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = section["clientId"] });
            return new TableServiceClient(endpoint, credential);
        }

        throw new InvalidOperationException(
            $"No table storage connection named '{connectionName}': set {connectionName} (a connection string) " +
            $"or {connectionName}__tableServiceUri (identity-based).");
    }
}

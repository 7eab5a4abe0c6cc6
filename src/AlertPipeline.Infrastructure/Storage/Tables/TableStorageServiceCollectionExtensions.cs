using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlertPipeline.Infrastructure.Storage.Tables;

public static class TableStorageServiceCollectionExtensions
{
    /// <summary>Registers one <see cref="TableServiceClient"/> (a singleton) for a storage connection string with an account key.</summary>
    public static IServiceCollection AddTableStorage(
        this IServiceCollection services,
        string connectionString,
        Action<TableClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = Configure(configure);
        var client = new TableServiceClient(connectionString, options); // fails now, at start-up, on a bad connection string
        services.TryAddSingleton(client);
        return services;
    }

    /// <summary>Registers one <see cref="TableServiceClient"/> for an endpoint and an Entra ID credential (managed identity).</summary>
    public static IServiceCollection AddTableStorage(
        this IServiceCollection services,
        Uri endpoint,
        TokenCredential credential,
        Action<TableClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(new TableServiceClient(endpoint, credential, Configure(configure)));
        return services;
    }

    private static TableClientOptions Configure(Action<TableClientOptions>? configure)
    {
        var options = new TableClientOptions();
        configure?.Invoke(options);
        return options;
    }
}

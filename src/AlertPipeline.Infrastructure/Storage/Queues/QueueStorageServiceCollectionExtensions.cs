using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlertPipeline.Infrastructure.Storage.Queues;

public static class QueueStorageServiceCollectionExtensions
{
    /// <summary>The app setting Azure Functions reads its storage connection from.</summary>
    public const string DefaultConnectionName = "AzureWebJobsStorage";

    /// <summary>
    /// Registers a singleton <see cref="QueueServiceClient"/> from configuration, as Azure Functions resolves a connection:
    /// a connection string in <c>ConnectionStrings:{name}</c> or <c>{name}</c>, or else an identity-based
    /// <c>{name}__queueServiceUri</c> (optional <c>{name}__clientId</c> for a user-assigned managed identity).
    /// </summary>
    public static IServiceCollection AddQueueStorage(
        this IServiceCollection services,
        string connectionName = DefaultConnectionName,
        Action<QueueClientOptions>? configureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        services.TryAddSingleton(sp =>
        {
            var options = new QueueClientOptions();
            configureOptions?.Invoke(options);
            return CreateClient(sp.GetRequiredService<IConfiguration>(), connectionName, options);
        });
        return services;
    }

    internal static QueueServiceClient CreateClient(IConfiguration configuration, string connectionName, QueueClientOptions options)
    {
        var connectionString = configuration.GetConnectionString(connectionName) ?? configuration[connectionName];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new QueueServiceClient(connectionString, options);
        }

        var section = configuration.GetSection(connectionName);
        var serviceUri = section["queueServiceUri"];
        if (!string.IsNullOrWhiteSpace(serviceUri))
        {
            if (!Uri.TryCreate(serviceUri, UriKind.Absolute, out var endpoint))
            {
                throw new InvalidOperationException($"The setting {connectionName}__queueServiceUri is not an absolute URL.");
            }

            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = section["clientId"] });
            return new QueueServiceClient(endpoint, credential, options);
        }

        throw new InvalidOperationException(
            $"No queue storage connection named '{connectionName}': set {connectionName} (a connection string) " +
            $"or {connectionName}__queueServiceUri (identity-based).");
    }
}

using AlertPipeline.Infrastructure.Configuration;
using AlertPipeline.Infrastructure.Persistence;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Infrastructure.Storage;

/// <summary>
/// The storage account's <see cref="TableServiceClient"/>, <see cref="QueueServiceClient"/> and <see cref="BlobServiceClient"/>, registered with
/// <c>AddAzureClients</c> under the name of their connection setting and resolved (on first use) as Azure Functions
/// resolves a connection (docs/storage.md, "Connections"): a connection string in <c>ConnectionStrings:{name}</c> or
/// <c>{name}</c> (Azurite: <c>UseDevelopmentStorage=true</c>), or identity-based <c>{name}__tableServiceUri</c>,
/// <c>{name}__queueServiceUri</c>, <c>{name}__blobServiceUri</c> or <c>{name}__accountName</c> with the credential <c>{name}__credential</c>,
/// <c>{name}__clientId</c>… describe (none: <c>DefaultAzureCredential</c>), so one build runs on Azurite and on Azure
/// with a managed identity and no account key. Outside Azure a missing setting means Azurite.
/// </summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>The app setting Azure Functions reads its storage connection from.</summary>
    public const string DefaultConnectionName = "AzureWebJobsStorage";

    /// <summary>
    /// The Queue service version every queue client speaks: the newest that Azurite 3.35 accepts (it refuses the SDK's
    /// default, 2026-10-06, with a 400); Azure accepts it too. Why this and not <c>--skipApiVersionCheck</c>: docs/storage.md.
    /// </summary>
    public const QueueClientOptions.ServiceVersion QueueServiceVersion = QueueClientOptions.ServiceVersion.V2025_11_05;

    /// <summary>The Blob service version every blob client speaks: as for queues, one that Azurite 3.35 accepts.</summary>
    public const BlobClientOptions.ServiceVersion BlobServiceVersion = BlobClientOptions.ServiceVersion.V2025_11_05;

    /// <summary>
    /// Options for a queue client built outside DI (tests, benchmarks, the local host, the demo): the pinned
    /// <see cref="QueueServiceVersion"/> and base64 messages, what the Functions queue trigger reads and writes.
    /// </summary>
    public static QueueClientOptions QueueOptions(QueueMessageEncoding encoding = QueueMessageEncoding.Base64) =>
        new(QueueServiceVersion) { MessageEncoding = encoding };

    /// <summary>
    /// Registers the three clients for <paramref name="connectionName"/> (once per name). The settings are read on first use,
    /// from <paramref name="configuration"/> or else the container's <see cref="IConfiguration"/>.
    /// </summary>
    public static IServiceCollection AddStorageClients(
        this IServiceCollection services, string connectionName = DefaultConnectionName, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        var marker = new StorageRegistration(connectionName);
        if (services.Any(d => d.ServiceType == typeof(StorageRegistration) && marker.Equals(d.ImplementationInstance)))
        {
            return services;
        }

        services.AddSingleton(marker);
        Func<IServiceProvider, IConfiguration> settings = configuration is null ? sp => sp.GetRequiredService<IConfiguration>() : _ => configuration;
        services.AddAzureClients(builder =>
        {
            builder.AddClient<TableServiceClient, TableClientOptions>((options, credential, sp) =>
                {
                    // The app registers the gate (AddTableTrafficGate); other users of these clients are not gated.
                    if (sp.GetService<TableTrafficGate>() is { } gate)
                    {
                        options.AddPolicy(new TableTrafficPolicy(gate), HttpPipelinePosition.PerRetry);
                    }

                    options.AddPolicy(new WriteSentPolicy(), HttpPipelinePosition.PerCall);

                    return Connection(settings(sp), connectionName) is { ConnectionString: { } connectionString }
                        ? new TableServiceClient(connectionString, options)
                        : new TableServiceClient(Connection(settings(sp), connectionName).TableServiceUri ?? throw Missing(connectionName, "tableServiceUri"), credential, options);
                })
                .WithName(connectionName)
                .WithCredential(sp => Credential(sp, settings(sp), connectionName));

            builder.AddClient<QueueServiceClient, QueueClientOptions>((options, credential, sp) =>
                    Connection(settings(sp), connectionName) is { ConnectionString: { } connectionString }
                        ? new QueueServiceClient(connectionString, options)
                        : new QueueServiceClient(Connection(settings(sp), connectionName).QueueServiceUri ?? throw Missing(connectionName, "queueServiceUri"), credential, options))
                .WithName(connectionName)
                .WithVersion(QueueServiceVersion)
                .ConfigureOptions(options => options.MessageEncoding = QueueMessageEncoding.Base64)
                .WithCredential(sp => Credential(sp, settings(sp), connectionName));

            builder.AddClient<BlobServiceClient, BlobClientOptions>((options, credential, sp) =>
                    Connection(settings(sp), connectionName) is { ConnectionString: { } connectionString }
                        ? new BlobServiceClient(connectionString, options)
                        : new BlobServiceClient(Connection(settings(sp), connectionName).BlobServiceUri ?? throw Missing(connectionName, "blobServiceUri"), credential, options))
                .WithName(connectionName)
                .WithVersion(BlobServiceVersion)
                .WithCredential(sp => Credential(sp, settings(sp), connectionName));
        });
        return services;
    }

    /// <summary>
    /// <see cref="TableTrafficGate"/> with <see cref="TableTrafficOptions"/> (section <c>TableTraffic</c>, validated on
    /// start): every table client built by <see cref="AddStorageClients"/> afterwards gates its background requests.
    /// </summary>
    public static IServiceCollection AddTableTrafficGate(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TableTrafficOptions>().Bind(configuration.GetSection(TableTrafficOptions.SectionName)).ValidateAll(o => o.Validate());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<TableTrafficOptions>>().Value);
        services.TryAddSingleton<TableTrafficGate>();
        return services;
    }

    /// <summary>The <see cref="TableServiceClient"/> registered for <paramref name="connectionName"/>.</summary>
    public static TableServiceClient TableService(this IServiceProvider services, string connectionName = DefaultConnectionName) =>
        services.GetRequiredService<IAzureClientFactory<TableServiceClient>>().CreateClient(connectionName);

    /// <summary>The <see cref="QueueServiceClient"/> (base64 messages) registered for <paramref name="connectionName"/>.</summary>
    public static QueueServiceClient QueueService(this IServiceProvider services, string connectionName = DefaultConnectionName) =>
        services.GetRequiredService<IAzureClientFactory<QueueServiceClient>>().CreateClient(connectionName);

    /// <summary>The <see cref="BlobServiceClient"/> registered for <paramref name="connectionName"/>.</summary>
    public static BlobServiceClient BlobService(this IServiceProvider services, string connectionName = DefaultConnectionName) =>
        services.GetRequiredService<IAzureClientFactory<BlobServiceClient>>().CreateClient(connectionName);

    private static StorageConnection Connection(IConfiguration configuration, string connectionName) =>
        StorageConnection.Find(configuration, connectionName)
        ?? (RecipientHashKey.IsAzure(configuration) ? throw Missing(connectionName, "tableServiceUri or __queueServiceUri") : StorageConnection.Development);

    /// <summary>The setting's credential (<c>credential</c>, <c>clientId</c>, …) as the Functions host builds it; unused with a connection string.</summary>
    private static TokenCredential Credential(IServiceProvider services, IConfiguration configuration, string connectionName) =>
        services.GetRequiredService<AzureComponentFactory>().CreateTokenCredential(configuration.GetSection(connectionName));

    private static InvalidOperationException Missing(string connectionName, string setting) =>
        new($"No storage connection named '{connectionName}': set {connectionName} (a connection string), or {connectionName}__{setting} or {connectionName}__accountName (identity-based).");

    private sealed record StorageRegistration(string ConnectionName);
}

/// <summary>One storage connection as the Functions conventions spell it: a connection string, or service URLs for an identity.</summary>
public sealed record StorageConnection(string? ConnectionString, Uri? TableServiceUri, Uri? QueueServiceUri)
{
    /// <summary>Azurite on its default ports.</summary>
    public static StorageConnection Development { get; } = new("UseDevelopmentStorage=true", null, null);

    /// <summary>The Blob service (<c>__blobServiceUri</c>, or from <c>__accountName</c>); null with a connection string.</summary>
    public Uri? BlobServiceUri { get; init; }

    /// <summary>
    /// The connection named <paramref name="connectionName"/>, or null when none is set. An identity-based connection
    /// names each service it serves (<c>__tableServiceUri</c>, <c>__queueServiceUri</c>), or <c>__accountName</c> for
    /// both (Azure public cloud).
    /// </summary>
    public static StorageConnection? Find(IConfiguration configuration, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration.GetConnectionString(connectionName) ?? configuration[connectionName];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new StorageConnection(connectionString, null, null);
        }

        var section = configuration.GetSection(connectionName);
        var account = section["accountName"];
        var tables = ServiceUri(section["tableServiceUri"], account, "table");
        var queues = ServiceUri(section["queueServiceUri"], account, "queue");
        var blobs = ServiceUri(section["blobServiceUri"], account, "blob");
        return tables is null && queues is null && blobs is null ? null : new StorageConnection(null, tables, queues) { BlobServiceUri = blobs };
    }

    private static Uri? ServiceUri(string? explicitUri, string? account, string service) =>
        Uri.TryCreate(explicitUri, UriKind.Absolute, out var uri) ? uri
        : string.IsNullOrWhiteSpace(account) ? null
        : new Uri($"https://{account}.{service}.core.windows.net");
}

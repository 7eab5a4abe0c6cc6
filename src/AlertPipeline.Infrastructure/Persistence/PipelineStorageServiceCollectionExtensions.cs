using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Configuration;
using AlertPipeline.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Infrastructure.Persistence;

public static class PipelineStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the repositories behind Core's ports (<see cref="IMembershipReader"/>, <see cref="IAlertStore"/>,
    /// <see cref="IRejectedEventLog"/>, <see cref="IDeliveryStore"/>, <see cref="IOptOutStore"/>, <see cref="IRecipientIndex"/>, <see cref="IInboundMessageLog"/>, <see cref="IProviderIdIndex"/>),
    /// <see cref="MembershipRepository"/> (with its upserts, for seeding), <see cref="PipelineTables"/>, the
    /// <see cref="RecipientHasher"/> from <c>RecipientHashKey</c>, a start-up task creating the tables, and the one-off
    /// <see cref="DeliveryAddressScrub"/> (run at start when <c>Pipeline:Storage:ScrubDeliveryAddressesOnStart</c>). Settings
    /// (<c>Pipeline:Storage:*</c>, <c>RecipientHashKey</c>, the storage connection in Azure) are validated on start.
    /// </summary>
    public static IServiceCollection AddPipelineStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PipelineStorageOptions>()
            .Bind(configuration.GetSection(PipelineStorageOptions.SectionName))
            .ValidateAll(o =>
            [
                .. o.Validate(),
                .. RecipientHashKey.Validate(configuration),
                .. StorageConnection.Find(configuration, o.ConnectionName) is null && RecipientHashKey.IsAzure(configuration)
                    ? [$"No storage connection for the pipeline's tables: set {o.ConnectionName} (or {PipelineStorageOptions.SectionName}:{nameof(o.ConnectionName)})."]
                    : Array.Empty<string>(),
            ]);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<PipelineStorageOptions>>().Value);
        services.TryAddSingleton(sp => RecipientHashKey.CreateHasher(configuration));
        var connectionName = configuration.GetSection(PipelineStorageOptions.SectionName)[nameof(PipelineStorageOptions.ConnectionName)] is { Length: > 0 } name
            ? name
            : new PipelineStorageOptions().ConnectionName;
        services.AddStorageClients(connectionName, configuration);
        services.TryAddSingleton(sp => new PipelineTables(sp.TableService(connectionName), sp.GetRequiredService<PipelineStorageOptions>().TablePrefix));
        services.TryAddSingleton<MembershipRepository>();
        services.TryAddSingleton<IMembershipReader>(sp => sp.GetRequiredService<MembershipRepository>());
        services.TryAddSingleton<IContactCountStore>(sp => sp.GetRequiredService<MembershipRepository>());
        services.TryAddSingleton<IAlertStore, AlertRepository>();
        services.TryAddSingleton<RejectedEventRepository>();
        services.TryAddSingleton<IRejectedEventLog>(sp => sp.GetRequiredService<RejectedEventRepository>());
        services.TryAddSingleton<DeliveryLayouts>();
        services.TryAddSingleton<IDeliveryStore>(sp => new DeliveryRepository(
            sp.GetRequiredService<PipelineTables>(), sp.GetRequiredService<PipelineStorageOptions>(), sp.GetRequiredService<DeliveryLayouts>()));
        services.TryAddSingleton<IDeferredDispatchStore, DeferredDispatchRepository>();
        services.TryAddSingleton<IOptOutStore, OptOutRepository>();
        services.TryAddSingleton<IRecipientIndex, RecipientIndexRepository>();
        services.TryAddSingleton<IInboundMessageLog, InboundMessageRepository>();
        services.TryAddSingleton<IProviderIdIndex, ProviderIdRepository>();
        services.TryAddSingleton<SeedLoader>();
        services.TryAddSingleton<DeliveryAddressScrub>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddHostedService<PipelineTablesInitializer>();
        services.AddHostedService<DeliveryAddressScrubService>();
        return services;
    }
}

/// <summary>Creates the pipeline's tables in the background at start-up; a failure is logged and retried on first use.</summary>
internal sealed partial class PipelineTablesInitializer(PipelineTables tables, PipelineStorageOptions options, ILogger<PipelineTablesInitializer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.CreateTablesOnStart)
        {
            return;
        }

        try
        {
            await tables.EnsureAllAsync(stoppingToken).ConfigureAwait(false);
            LogCreated(logger, tables.Prefix);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogFailed(logger, ex.GetType().Name, ex.Message);
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Pipeline tables ready (prefix '{TablePrefix}')")]
    private static partial void LogCreated(ILogger logger, string tablePrefix);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Could not create the pipeline tables at start-up ({ExceptionType}: {Reason}); they are created on first use")]
    private static partial void LogFailed(ILogger logger, string exceptionType, string reason);
}

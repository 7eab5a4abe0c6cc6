using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Configuration;
using AlertPipeline.Infrastructure.Twilio;
using Azure.Core;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Infrastructure.ServiceBus;

/// <summary>
/// The Service Bus dispatch transport (docs/pipeline.md, "Service Bus transport"): one <see cref="ServiceBusClient"/> per
/// process, registered with <c>AddAzureClients</c> under the name of its connection setting and built on first use from
/// that setting, as Azure Functions resolves a connection: a connection string, or a fully qualified namespace with the
/// credential the setting describes (managed identity in Azure, no key).
/// </summary>
public static class ServiceBusServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="ServiceBusClient"/> for <paramref name="connectionName"/> (once per name). The setting is
    /// read on first use, from <paramref name="configuration"/> or else the container's <see cref="IConfiguration"/>; a
    /// missing setting fails then, naming the settings to set.
    /// </summary>
    public static IServiceCollection AddServiceBusClient(
        this IServiceCollection services, string connectionName = ServiceBusDispatchOptions.DefaultConnection, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        var marker = new ServiceBusRegistration(connectionName);
        if (services.Any(d => d.ServiceType == typeof(ServiceBusRegistration) && marker.Equals(d.ImplementationInstance)))
        {
            return services;
        }

        services.AddSingleton(marker);
        Func<IServiceProvider, IConfiguration> settings = configuration is null ? sp => sp.GetRequiredService<IConfiguration>() : _ => configuration;
        services.AddAzureClients(builder =>
            builder.AddClient<ServiceBusClient, ServiceBusClientOptions>((options, credential, sp) =>
                    Connection(settings(sp), connectionName) is { ConnectionString: { } connectionString }
                        ? new ServiceBusClient(connectionString, options)
                        : new ServiceBusClient(Connection(settings(sp), connectionName).FullyQualifiedNamespace, credential, options))
                .WithName(connectionName)
                .WithCredential(sp => Credential(sp, settings(sp), connectionName)));
        return services;
    }

    /// <summary>The <see cref="ServiceBusClient"/> registered for <paramref name="connectionName"/>.</summary>
    public static ServiceBusClient ServiceBus(this IServiceProvider services, string connectionName = ServiceBusDispatchOptions.DefaultConnection) =>
        services.GetRequiredService<IAzureClientFactory<ServiceBusClient>>().CreateClient(connectionName);

    /// <summary>
    /// The Service Bus dispatch transport: <c>ServiceBus:*</c> (validated on start), the <see cref="ServiceBusClient"/> of
    /// <see cref="ServiceBusDispatchOptions.ConnectionName"/>, <see cref="IDispatchQueue"/> =
    /// <see cref="ServiceBusDispatchQueue"/>, the <see cref="DispatchSettler"/>, the <see cref="ServiceBusDeadLetterRedriver"/>
    /// (the ScheduleTick's, through <c>DispatchRedrivers</c>; needs <c>PipelineTables</c>), and the worker's
    /// <see cref="DispatchProcessorService"/>. Expects the pipeline's <see cref="DispatchBatchHandler"/> to be registered
    /// (the Functions app's <c>AddPipeline</c>) and, when SMS is paced, the Twilio <see cref="SendPacer"/>.
    /// </summary>
    public static IServiceCollection AddServiceBusDispatch(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ServiceBusDispatchOptions>().Bind(configuration.GetSection(ServiceBusDispatchOptions.SectionName)).ValidateAll(o => o.Validate());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ServiceBusDispatchOptions>>().Value);
        var connectionName = configuration.GetSection(ServiceBusDispatchOptions.SectionName)[nameof(ServiceBusDispatchOptions.ConnectionName)] is { Length: > 0 } name
            ? name
            : ServiceBusDispatchOptions.DefaultConnection;
        services.AddServiceBusClient(connectionName, configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ServiceBusDispatchSenders(sp.ServiceBus(connectionName)));
        services.AddSingleton<IDispatchQueue, ServiceBusDispatchQueue>();
        services.TryAddSingleton(sp => new DispatchSettler(
            sp.GetRequiredService<DispatchBatchHandler>(),
            sp.GetRequiredService<ServiceBusDispatchSenders>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DispatchSettler>>()));
        // The ScheduleTick's re-drive of dead-lettered dispatch messages (through DispatchRedrivers; counted with the Storage ones).
        services.TryAddSingleton(sp => new ServiceBusDeadLetterRedriver(
            sp.ServiceBus(connectionName),
            sp.GetRequiredService<ServiceBusDispatchSenders>(),
            new Pipeline.RedriveCounter(
                sp.GetRequiredService<Persistence.PipelineTables>(), Persistence.PipelineTables.DispatchRedrives,
                sp.GetRequiredService<PipelineOptions>().DispatchRedriveBudget, sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<ILogger<ServiceBusDeadLetterRedriver>>()));
        services.AddHostedService(sp => new DispatchProcessorService(
            sp.ServiceBus(connectionName),
            sp.GetRequiredService<DispatchSettler>(),
            sp.GetRequiredService<ServiceBusDispatchOptions>(),
            sp.GetService<SendPacer>()?.SegmentsPerSecond ?? 0,
            sp.GetService<PipelineOptions>()?.DispatchSendConcurrency ?? 1,
            sp.GetRequiredService<ILogger<DispatchProcessorService>>()));
        return services;
    }

    private static ServiceBusConnectionSetting Connection(IConfiguration configuration, string connectionName) =>
        ServiceBusConnectionSetting.Find(configuration, connectionName)
        ?? throw new InvalidOperationException(
            $"No Service Bus connection named '{connectionName}': set {connectionName} (a connection string) or {connectionName}__fullyQualifiedNamespace (identity-based), or set Pipeline:Dispatch:Transport to StorageQueues.");

    /// <summary>The setting's credential (<c>credential</c>, <c>clientId</c>, …) as the Functions host builds it; unused with a connection string.</summary>
    private static TokenCredential Credential(IServiceProvider services, IConfiguration configuration, string connectionName) =>
        services.GetRequiredService<AzureComponentFactory>().CreateTokenCredential(configuration.GetSection(connectionName));

    private sealed record ServiceBusRegistration(string ConnectionName);
}

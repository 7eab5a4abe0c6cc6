using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.ServiceBus;
using AlertPipeline.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlertPipeline.Infrastructure.Pipeline;

public static class DispatchServiceCollectionExtensions
{
    /// <summary>
    /// The dispatch transport, in one place: <see cref="IDispatchQueue"/> for the producers (FanOutChunk, the ScheduleTick's
    /// release) and what the consumers need, by <c>Pipeline:Dispatch:Transport</c> (<see cref="ResolveTransport"/>); and the
    /// <see cref="FanOutChunkRedriver"/> of poisoned fan-out chunks, the <see cref="StatusCallbackQueue"/> (<c>sms-status</c>, a Storage
    /// queue in both transports) with its <see cref="StatusCallbackRedriver"/>, and the <see cref="DispatchRedrivers"/> of poisoned Storage
    /// dispatch messages (the ScheduleTick's, the report's).
    /// </summary>
    public static IServiceCollection AddDispatch(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        switch (ResolveTransport(configuration))
        {
            case DispatchTransport.StorageQueues:
                services.AddStorageClients(StorageServiceCollectionExtensions.DefaultConnectionName, configuration);
                services.TryAddSingleton(TimeProvider.System);
                services.TryAddSingleton(sp => new StorageQueueDispatchQueue(sp.QueueService(StorageServiceCollectionExtensions.DefaultConnectionName), sp.GetRequiredService<TimeProvider>()));
                services.TryAddSingleton<IDispatchQueue>(sp => sp.GetRequiredService<StorageQueueDispatchQueue>());
                break;
            case DispatchTransport.ServiceBus:
                services.AddServiceBusDispatch(configuration);
                break;
        }

        // Fan-out chunks are always on the storage account's queues, whatever carries the dispatch batches.
        services.AddStorageClients(StorageServiceCollectionExtensions.DefaultConnectionName, configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new FanOutChunkRedriver(
            sp.QueueService(StorageServiceCollectionExtensions.DefaultConnectionName),
            sp.GetRequiredService<Persistence.PipelineTables>(),
            sp.GetRequiredService<PipelineOptions>(),
            sp.GetRequiredService<TimeProvider>()));

        // Twilio status callbacks wait on a Storage queue too, whatever carries the dispatch batches.
        services.TryAddSingleton(sp => new StatusCallbackQueue(sp.QueueService(StorageServiceCollectionExtensions.DefaultConnectionName), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new StatusCallbackRedriver(
            sp.QueueService(StorageServiceCollectionExtensions.DefaultConnectionName),
            sp.GetRequiredService<Persistence.PipelineTables>(),
            sp.GetRequiredService<PipelineOptions>(),
            sp.GetRequiredService<TimeProvider>()));

        // The Storage dispatch queues' poison queues (absent on the Service Bus transport: the pass then finds nothing), and on
        // the Service Bus transport the dispatch queues' dead-letter sub-queues.
        services.TryAddSingleton(sp => new DispatchRedrivers(
        [
            .. new[] { Core.Contacts.Channel.Sms, Core.Contacts.Channel.Email }.Select(channel => new DispatchBatchRedriver(
                sp.QueueService(StorageServiceCollectionExtensions.DefaultConnectionName),
                sp.GetRequiredService<Persistence.PipelineTables>(),
                sp.GetRequiredService<PipelineOptions>(),
                sp.GetRequiredService<TimeProvider>(),
                channel)),
        ],
        sp.GetService<ServiceBusDeadLetterRedriver>()));
        return services;
    }

    /// <summary>
    /// <c>Pipeline:Dispatch:Transport</c> when set (<c>StorageQueues</c> | <c>ServiceBus</c>; anything else is refused,
    /// naming the key); unset: <c>ServiceBus</c> when <c>ServiceBusConnection</c> names a Service Bus namespace
    /// (<c>Endpoint=sb://…</c> or <c>__fullyQualifiedNamespace</c>: <see cref="ServiceBusConnectionSetting.IsConfigured"/>),
    /// <c>StorageQueues</c> otherwise (Azurite, local runs, where the local host maps that setting to Azurite).
    /// </summary>
    public static DispatchTransport ResolveTransport(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var key = $"{PipelineOptions.SectionName}:{nameof(PipelineOptions.Dispatch)}:{nameof(DispatchOptions.Transport)}";
        if (configuration[key] is { Length: > 0 } text)
        {
            return Enum.TryParse<DispatchTransport>(text, ignoreCase: true, out var chosen) && Enum.IsDefined(chosen) && !int.TryParse(text, out _)
                ? chosen
                : throw new InvalidOperationException($"{key} '{text}' must be {string.Join(" or ", Enum.GetNames<DispatchTransport>())}.");
        }

        var connectionName = configuration[$"{ServiceBusDispatchOptions.SectionName}:{nameof(ServiceBusDispatchOptions.ConnectionName)}"] is { Length: > 0 } name
            ? name
            : ServiceBusDispatchOptions.DefaultConnection;
        return ServiceBusConnectionSetting.IsConfigured(configuration, connectionName) ? DispatchTransport.ServiceBus : DispatchTransport.StorageQueues;
    }
}

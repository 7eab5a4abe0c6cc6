using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlertPipeline.Infrastructure.Pipeline;

public static class DispatchServiceCollectionExtensions
{
    /// <summary>The app setting of the Service Bus connection (a connection string, or <c>ServiceBusConnection__fullyQualifiedNamespace</c>).</summary>
    public const string ServiceBusConnectionName = "ServiceBusConnection";

    /// <summary>
    /// The dispatch transport, in one place: <see cref="IDispatchQueue"/> for the producers (FanOutChunk, the ScheduleTick's
    /// release) and what the consumers need, by <c>Pipeline:Dispatch:Transport</c> (<see cref="ResolveTransport"/>).
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
                // The Service Bus transport (Infrastructure/ServiceBus) registers itself here.
                throw new InvalidOperationException(
                    $"{PipelineOptions.SectionName}:{nameof(PipelineOptions.Dispatch)}:{nameof(DispatchOptions.Transport)} is ServiceBus, which this build does not include; use StorageQueues.");
        }

        return services;
    }

    /// <summary>
    /// <c>Pipeline:Dispatch:Transport</c> when set (<c>StorageQueues</c> | <c>ServiceBus</c>; anything else is refused,
    /// naming the key); unset: <c>ServiceBus</c> when <c>ServiceBusConnection</c> names a Service Bus namespace
    /// (<c>Endpoint=sb://…</c> or <c>__fullyQualifiedNamespace</c>), <c>StorageQueues</c> otherwise (Azurite, local runs).
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

        var connection = configuration.GetSection(ServiceBusConnectionName);
        var isServiceBus = connection.Value?.Contains("Endpoint=sb://", StringComparison.OrdinalIgnoreCase) == true
                           || !string.IsNullOrEmpty(connection["fullyQualifiedNamespace"]);
        return isServiceBus ? DispatchTransport.ServiceBus : DispatchTransport.StorageQueues;
    }
}

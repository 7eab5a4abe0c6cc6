using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;

namespace AlertPipeline.Infrastructure.ServiceBus;

/// <summary>
/// One <see cref="ServiceBusSender"/> per dispatch queue, created on first use from the process's one
/// <see cref="ServiceBusClient"/> and kept (senders are thread-safe and hold an AMQP link; creating one per send would
/// open a link per send). Shared by <see cref="ServiceBusDispatchQueue"/> and <see cref="DispatchSettler"/>'s retry copies.
/// </summary>
public sealed class ServiceBusDispatchSenders(ServiceBusClient client) : IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, ServiceBusSender> _senders = new(StringComparer.Ordinal);

    /// <summary>The sender of <paramref name="queueName"/>.</summary>
    public ServiceBusSender For(string queueName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        return _senders.GetOrAdd(queueName, static (name, c) => c.CreateSender(name), client);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in _senders.Values)
        {
            await sender.DisposeAsync().ConfigureAwait(false);
        }

        _senders.Clear();
    }

    /// <summary>For a container disposed synchronously: closes the links the same way.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}

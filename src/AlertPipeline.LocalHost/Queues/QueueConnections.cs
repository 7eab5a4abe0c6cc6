using System.Collections.Concurrent;
using AlertPipeline.Infrastructure.Storage.Queues;

namespace AlertPipeline.LocalHost.Queues;

/// <summary>
/// Queue clients by (connection string, queue). Every client is created with <see cref="QueueMessageEncoding.None"/>:
/// the host does the base64 itself, so it can tell an undecodable message apart, copy a message to the poison queue
/// byte for byte, and write output bytes as the Functions host writes them. Also remembers which queues were already
/// created and tells listeners when this host enqueued to their queue (to cut their polling back-off short).
/// </summary>
internal sealed class QueueConnections
{
    private readonly ConcurrentDictionary<string, QueueServiceClient> _services = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task>> _created = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<AsyncSignal>> _watchers = new(StringComparer.Ordinal);

    public QueueClient GetQueue(string connectionString, string queueName)
    {
        var service = _services.GetOrAdd(connectionString, static cs => new QueueServiceClient(cs, CreateOptions()));
        return service.GetQueueClient(queueName);
    }

    /// <summary>
    /// No encoding (see above), and the Azure SDK's 100 s network timeout rather than our clients' 30 s: Azurite's queue
    /// GC can pause it for tens of seconds, and a receive that timed out client-side but ran server-side would hide its
    /// messages for a whole lease.
    /// </summary>
    public static QueueClientOptions CreateOptions()
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        return options;
    }

    /// <summary>Creates the queue once per host (output and poison queues are created on first write, as the host does).</summary>
    public Task EnsureCreatedAsync(QueueClient queue, CancellationToken cancellationToken)
    {
        var lazy = _created.GetOrAdd(queue.Uri.AbsoluteUri, _ => new Lazy<Task>(() => queue.CreateIfNotExistsAsync(CancellationToken.None)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            _created.TryRemove(new KeyValuePair<string, Lazy<Task>>(queue.Uri.AbsoluteUri, lazy));
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Forget that a queue exists (it was deleted under us).</summary>
    public void ForgetCreated(QueueClient queue) => _created.TryRemove(queue.Uri.AbsoluteUri, out _);

    public void Watch(QueueClient queue, AsyncSignal signal)
    {
        var list = _watchers.GetOrAdd(queue.Uri.AbsoluteUri, _ => []);
        lock (list)
        {
            list.Add(signal);
        }
    }

    /// <summary>This host just wrote to <paramref name="queue"/>: wake its listeners.</summary>
    public void Notify(QueueClient queue)
    {
        if (_watchers.TryGetValue(queue.Uri.AbsoluteUri, out var list))
        {
            lock (list)
            {
                foreach (var signal in list)
                {
                    signal.Pulse();
                }
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using AlertPipeline.Infrastructure.Storage;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace AlertPipeline.LocalHost.Queues;

/// <summary>
/// Queue clients by (connection string, queue, encoding), as the Functions host builds them: host.json's messageEncoding
/// (base64 by default) is the SDK client's <see cref="QueueMessageEncoding"/>, so the SDK decodes what a trigger reads
/// and encodes what an output writes. A base64 queue's message that does not decode is handed, raw, to the handler its
/// listener registered (<see cref="OnUndecodable"/>), which poisons it, as the Functions host does. Also remembers which
/// queues were already created and tells listeners when this host enqueued to their queue (to cut their polling
/// back-off short).
/// </summary>
internal sealed partial class QueueConnections
{
    private readonly ConcurrentDictionary<(string ConnectionString, QueueMessageEncoding Encoding), QueueServiceClient> _services = new();
    private readonly ConcurrentDictionary<string, Func<QueueMessage, Task>> _undecodable = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task>> _created = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<AsyncSignal>> _watchers = new(StringComparer.Ordinal);

    /// <summary>
    /// The client of <paramref name="queueName"/> that sends and receives base64 (<paramref name="base64"/>) or plain
    /// text. Throws <see cref="ArgumentException"/> for a name the Queue service would refuse.
    /// </summary>
    public QueueClient GetQueue(string connectionString, string queueName, bool base64)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        if (queueName.Length is < 3 or > 63 || !QueueNamePattern().IsMatch(queueName))
        {
            throw new ArgumentException(
                $"'{queueName}' is not a valid queue name: use 3–63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.",
                nameof(queueName));
        }

        var encoding = base64 ? QueueMessageEncoding.Base64 : QueueMessageEncoding.None;
        var service = _services.GetOrAdd((connectionString, encoding), key => new QueueServiceClient(key.ConnectionString, CreateOptions(key.Encoding)));
        return service.GetQueueClient(queueName);
    }

    /// <summary>Where a received message of <paramref name="queue"/> that is not valid base64 goes (raw: undecoded).</summary>
    public void OnUndecodable(QueueClient queue, Func<QueueMessage, Task> handler) => _undecodable[queue.Uri.AbsoluteUri] = handler;

    /// <summary>
    /// The pinned service version and the encoding, and a 100 s network timeout (the SDK's default, kept on purpose):
    /// Azurite's queue GC can pause it for tens of seconds, and a receive that timed out client-side but ran server-side
    /// would hide its messages for a whole lease.
    /// </summary>
    private QueueClientOptions CreateOptions(QueueMessageEncoding encoding)
    {
        var options = StorageServiceCollectionExtensions.QueueOptions(encoding);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        if (encoding == QueueMessageEncoding.Base64)
        {
            options.MessageDecodingFailed += async args =>
            {
                if (args.ReceivedMessage is { } message && _undecodable.TryGetValue(args.Queue.Uri.AbsoluteUri, out var handler))
                {
                    await handler(message).ConfigureAwait(false);
                }
            };
        }

        return options;
    }

    /// <summary>Creates the queue once per host (output and poison queues are created on first write, as the host does).</summary>
    public Task EnsureCreatedAsync(QueueClient queue, CancellationToken cancellationToken)
    {
        var lazy = _created.GetOrAdd(queue.Uri.AbsoluteUri, _ => new Lazy<Task>(() => queue.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None)));
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

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$", RegexOptions.CultureInvariant)]
    private static partial Regex QueueNamePattern();
}

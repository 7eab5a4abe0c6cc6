using System.Collections.Concurrent;
using System.Text.Json;
using AlertPipeline.Infrastructure.Storage;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using AlertPipeline.Testing;

namespace AlertPipeline.EndToEndTests.LocalHost;

/// <summary>Queue helpers over Azurite: base64 sends (as producers send), raw sends, and draining an output queue.</summary>
public sealed class TestQueues(string connectionString)
{
    /// <summary>
    /// How long local-host tests wait for an outcome. Generous on purpose: Azurite's queue GC runs every minute and, after
    /// thousands of messages on a loaded machine, pauses the server for up to ~20 s.
    /// </summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public QueueServiceClient Base64 { get; } = new(connectionString, StorageServiceCollectionExtensions.QueueOptions());

    public QueueServiceClient Raw { get; } = new(connectionString, StorageServiceCollectionExtensions.QueueOptions(QueueMessageEncoding.None));

    public async Task<SendReceipt> SendAsync(string queue, string text)
    {
        var client = Base64.GetQueueClient(queue);
        await client.CreateIfNotExistsAsync();
        return (await client.SendMessageAsync(text)).Value;
    }

    public async Task SendManyAsync(string queue, IReadOnlyList<string> texts)
    {
        var client = Base64.GetQueueClient(queue);
        await client.CreateIfNotExistsAsync();
        await Parallel.ForEachAsync(texts, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (text, ct) => await client.SendMessageAsync(text, cancellationToken: ct));
    }

    /// <summary>Sends message text exactly as given (no base64).</summary>
    public async Task SendRawAsync(string queue, string wireText)
    {
        var client = Raw.GetQueueClient(queue);
        await client.CreateIfNotExistsAsync();
        await client.SendMessageAsync(wireText);
    }

    /// <summary>Receives and deletes whatever is visible now, returning the raw message text.</summary>
    public async Task<IReadOnlyList<string>> DrainRawAsync(string queue)
    {
        var client = Raw.GetQueueClient(queue);
        var texts = new List<string>();
        while (true)
        {
            QueueMessage[] batch;
            try
            {
                batch = (await client.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value;
            }
            catch (Azure.RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound.ToString())
            {
                return texts;
            }

            if (batch.Length == 0)
            {
                return texts;
            }

            await Task.WhenAll(batch.Select(m => client.DeleteMessageAsync(m.MessageId, m.PopReceipt)));
            texts.AddRange(batch.Select(m => m.Body.ToString()));
        }
    }

    /// <summary>Receives and deletes whatever is visible now, decoding base64.</summary>
    public async Task<IReadOnlyList<string>> DrainAsync(string queue) =>
        (await DrainRawAsync(queue)).Select(t => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(t))).ToList();

    /// <summary>Drains <paramref name="queue"/> into <paramref name="sink"/> until <paramref name="done"/> holds (bounded).</summary>
    public async Task CollectUntilAsync(string queue, ConcurrentBag<string> sink, Func<IReadOnlyCollection<string>, bool> done, string what, TimeSpan? timeout = null) =>
        await Poll.UntilAsync(
            async () =>
            {
                foreach (var text in await DrainAsync(queue))
                {
                    sink.Add(text);
                }

                return done(sink);
            },
            what,
            timeout ?? Patience);

    /// <summary>Visible and invisible messages still in the queue (0 when it does not exist).</summary>
    public async Task<int> CountAsync(string queue)
    {
        try
        {
            return (await Base64.GetQueueClient(queue).GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }
        catch (Azure.RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound.ToString())
        {
            return 0;
        }
    }
}

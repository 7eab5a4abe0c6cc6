using System.Text.Json;
using Azure.Storage.Queues;

namespace AlertPipeline.Infrastructure.Pipeline;

/// <summary>
/// Writes a consumer's poison entry (the message as received, wrapped with the reason it was given up on) to its
/// <c>{queue}-poison</c> queue, creating that queue first: the host's own poisoning would keep no reason.
/// </summary>
internal static class PoisonEntries
{
    public static async Task WriteAsync<TEntry>(QueueServiceClient queues, string poisonQueue, TEntry entry, CancellationToken cancellationToken)
    {
        var poison = queues.GetQueueClient(poisonQueue);
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await poison.SendMessageAsync(JsonSerializer.Serialize(entry, JsonSerializerOptions.Web), cancellationToken).ConfigureAwait(false);
    }
}

using Azure.Storage.Queues;

namespace AlertPipeline.Testing;

/// <summary>Short forms of the queue reads tests make over and over.</summary>
public static class QueueClientTestExtensions
{
    /// <summary>The service's approximate count of messages (visible or not) in <paramref name="queue"/>.</summary>
    public static async Task<int> GetApproximateMessageCountAsync(this QueueClient queue) =>
        (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
}

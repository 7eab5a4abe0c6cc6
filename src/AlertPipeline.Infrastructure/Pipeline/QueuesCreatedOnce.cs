using Azure.Storage.Queues;

namespace AlertPipeline.Infrastructure.Pipeline;

/// <summary>
/// Creates a writer's queues once per process, as an output binding would have; a creation that failed is forgotten, so
/// the next call tries again. A caller's cancellation stops only its own wait, never the creation others share.
/// </summary>
internal sealed class QueuesCreatedOnce(params QueueClient[] queues)
{
    private Task? _created;

    public async Task EnsureAsync(CancellationToken cancellationToken = default)
    {
        var created = _created ??= Task.WhenAll(queues.Select(q => q.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None)));
        try
        {
            await created.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (created.IsFaulted || created.IsCanceled)
        {
            _ = Interlocked.CompareExchange(ref _created, null, created);
            throw;
        }
    }
}

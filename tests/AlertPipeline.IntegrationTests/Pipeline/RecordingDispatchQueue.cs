using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.IntegrationTests.Pipeline;

/// <summary>An <see cref="IDispatchQueue"/> that keeps what it is given (for tests of the producers, not of a transport).</summary>
internal sealed class RecordingDispatchQueue : IDispatchQueue
{
    private readonly List<DispatchBatch> _batches = [];

    public IReadOnlyList<DispatchBatch> Batches
    {
        get
        {
            lock (_batches)
            {
                return [.. _batches];
            }
        }
    }

    public Task SendAsync(IReadOnlyList<DispatchBatch> batches, CancellationToken cancellationToken = default)
    {
        lock (_batches)
        {
            _batches.AddRange(batches);
        }

        return Task.CompletedTask;
    }

    /// <summary>The batches sent since the last call (and forgets them).</summary>
    public List<DispatchBatch> Take()
    {
        lock (_batches)
        {
            var taken = _batches.ToList();
            _batches.Clear();
            return taken;
        }
    }

    public List<DeliveryKey> TakeKeys() => [.. Take().SelectMany(b => b.Keys)];
}

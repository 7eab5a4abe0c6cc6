using System.Collections.Concurrent;
using AlertPipeline.Core.Alerts;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// Each alert's <see cref="DeliveryLayout"/>, read from its Alerts row (the <c>DeliveryBuckets</c> column alone) the first
/// time a Deliveries operation of that alert needs it, then kept: a layout is recorded before the alert's first delivery
/// and never changes. An alert whose row does not exist (yet) is answered 16 buckets and not remembered — no delivery of
/// it can exist in another layout, since its row is stored before any of its deliveries.
/// </summary>
public sealed class DeliveryLayouts(PipelineTables tables)
{
    /// <summary>Alerts remembered; past it the memory starts again (a re-read costs one point read per alert).</summary>
    internal const int Capacity = 10_000;

    private static readonly string[] LayoutOnly = [AlertRepository.LayoutColumn];

    private readonly ConcurrentDictionary<AlertId, DeliveryLayout> _known = new();

    /// <summary>Point reads of Alerts rows made so far (tests: once per alert).</summary>
    internal int Reads;

    public async ValueTask<DeliveryLayout> GetAsync(AlertId alertId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        if (_known.TryGetValue(alertId, out var known))
        {
            return known;
        }

        var table = await tables.GetAsync(PipelineTables.Alerts, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref Reads);
        var entity = await table.GetEntityOrNullAsync(alertId.Value, AlertRepository.Row, LayoutOnly, cancellationToken).ConfigureAwait(false);
        if (entity is null)
        {
            return DeliveryLayout.Sixteen;
        }

        var layout = AlertRepository.ReadLayout(entity);
        if (_known.Count >= Capacity)
        {
            _known.Clear();
        }

        _known[alertId] = layout;
        return layout;
    }
}

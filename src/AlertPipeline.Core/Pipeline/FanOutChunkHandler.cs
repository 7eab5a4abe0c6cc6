using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Handles one <c>fanout-chunks</c> message: reads ONE page of one branch, writes its delivery rows (new ones only),
/// and returns a dispatch message for every row of the page that is Pending in storage (new or not: senders claim rows,
/// so duplicates are harmless) plus the next chunk when the branch has more pages. Re-running a chunk writes nothing new.
/// Memory is bounded by <see cref="PipelineOptions.FanOutPageSize"/>.
/// <para>
/// Quiet hours (<see cref="PipelineOptions.QuietHours"/>, SMS only): a Pending SMS row planned as deferred gets no dispatch
/// message now; it is recorded in <see cref="IDeferredDispatchStore"/> (after the rows are written, so a failure retries
/// the chunk, which plans the same deferral again) and the ScheduleTick releases it at its <c>NotBefore</c>.
/// </para>
/// </summary>
public sealed class FanOutChunkHandler(
    IMembershipReader membership,
    PipelineLookups lookups,
    IDeliveryStore deliveries,
    IDeferredDispatchStore deferred,
    IOptOutStore optOuts,
    RecipientHasher hasher,
    PipelineOptions options,
    TimeProvider time)
{
    private readonly DeliveryPagePlanner planner = new(optOuts, hasher);

    public async Task<FanOutChunkResult> HandleAsync(FanOutChunk chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var alert = await lookups.GetAlertAsync(chunk.AlertId, cancellationToken).ConfigureAwait(false)
                    ?? throw new PipelineRetryException($"Alert {chunk.AlertId} is not stored (yet); chunk {chunk} will be retried.");
        var page = await membership.GetContactsPageAsync(
            chunk.UnionId, chunk.BranchId, options.FanOutPageSize, chunk.ContinuationToken, cancellationToken).ConfigureAwait(false);

        // Defence in depth for tenancy (only this chunk's union and branch) and opt-outs: the planner shared with previews.
        var planned = await planner.PlanAsync(alert, chunk.UnionId, chunk.BranchId, page.Contacts, time.Now(), options.QuietHoursWindow, cancellationToken).ConfigureAwait(false);
        var contacts = planned.Contacts;
        var rows = planned.Rows;

        var outcomes = rows.Count == 0 ? [] : await deliveries.AddNewAsync(alert.AlertId, rows, cancellationToken).ConfigureAwait(false);
        // Outcomes come one per row, in order: a row still Pending in storage and planned as deferred now waits for the tick.
        var later = outcomes.Zip(rows)
            .Where(p => p.First.Status == DeliveryStatus.Pending && p.Second.NotBefore is not null)
            .Select(p => new DeferredDispatch(p.First.Key, p.Second.NotBefore!.Value, p.Second.NotBefore!.Value))
            .ToList();
        if (later.Count > 0)
        {
            await deferred.AddAsync(later, cancellationToken).ConfigureAwait(false);
        }

        var deferredKeys = later.Select(d => d.Key).ToHashSet();
        var pending = outcomes.Where(o => o.Status == DeliveryStatus.Pending && !deferredKeys.Contains(o.Key)).ToList();
        var next = page.ContinuationToken is { } token ? chunk with { Page = chunk.Page + 1, ContinuationToken = token } : null;
        return new FanOutChunkResult(
            [.. pending.Where(o => o.Key.Channel == Channel.Sms).Select(o => DispatchMessage.For(o.Key))],
            [.. pending.Where(o => o.Key.Channel == Channel.Email).Select(o => DispatchMessage.For(o.Key))],
            next,
            contacts.Count,
            outcomes.Count(o => o.Added),
            rows.Count(r => r.Status == DeliveryStatus.Skipped))
        {
            Deferred = later.Count,
        };
    }
}

/// <param name="Contacts">Contacts read on this page.</param>
/// <param name="Added">Rows this run inserted (0 when the chunk ran before).</param>
/// <param name="Skipped">Rows of this page planned as Skipped.</param>
public sealed record FanOutChunkResult(
    IReadOnlyList<DispatchMessage> Sms, IReadOnlyList<DispatchMessage> Email, FanOutChunk? Next, int Contacts, int Added, int Skipped)
{
    /// <summary>Pending SMS rows deferred by quiet hours (recorded for the ScheduleTick; no dispatch message now).</summary>
    public int Deferred { get; init; }
}

using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;
using NodaTime;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Handles one <c>fanout-chunks</c> message: reads up to <see cref="PipelineOptions.FanOutPagesPerChunk"/> pages of one
/// branch (a "page" below: all it read), writes their delivery rows (new ones only),
/// and sends every row of the page that is Pending in storage (new or not: senders claim rows, so duplicates are
/// harmless) as dispatch batches through <see cref="IDispatchQueue"/> (<see cref="DispatchBatch.Split"/>: one alert,
/// channel and bucket each, at most <see cref="PipelineOptions.DispatchBatchSize"/> rows), then returns the next chunk
/// when the branch has more pages. The batches are sent (and accepted) before the chunk's message is settled, so a failure
/// retries the chunk, which writes nothing new and sends the same batches (same <see cref="DispatchBatch.DispatchId"/>s).
/// Memory is bounded by <see cref="PipelineOptions.FanOutPageSize"/> × <see cref="PipelineOptions.FanOutPagesPerChunk"/> × <see cref="PipelineOptions.FanOutChunksInFlight"/>:
/// at most that many chunks run at once in one worker (one handler per worker), the others wait before reading their page.
/// The chunk of a branch's last page stores the branch's contact count (<see cref="FanOutChunk.ContactsBefore"/> plus its
/// page) in <see cref="IContactCountStore"/>, for the next fan-out to size its layout without counting.
/// <para>
/// Quiet hours (<see cref="PipelineOptions.QuietHours"/>, SMS only): Pending SMS rows planned as deferred go in batches of
/// their own <c>NotBefore</c>, which the transport holds back until then (Storage queue: initial visibility; Service Bus:
/// scheduled enqueue). A <c>NotBefore</c> more than <see cref="DispatchBatch.MaxScheduleAhead"/> ahead cannot be
/// scheduled: such rows are recorded in <see cref="IDeferredDispatchStore"/> for the ScheduleTick to release.
/// </para>
/// </summary>
public sealed class FanOutChunkHandler(
    IMembershipReader membership,
    IContactCountStore counts,
    PipelineLookups lookups,
    IDeliveryStore deliveries,
    IDeferredDispatchStore deferred,
    IOptOutStore optOuts,
    IDispatchQueue dispatch,
    RecipientHasher hasher,
    PipelineOptions options,
    TimeProvider time) : IDisposable
{
    private readonly DeliveryPagePlanner planner = new(optOuts, hasher);
    private readonly SemaphoreSlim inFlight = new(options.FanOutChunksInFlight, options.FanOutChunksInFlight);

    public async Task<FanOutChunkResult> HandleAsync(FanOutChunk chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        await inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await HandleOneAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            inFlight.Release();
        }
    }

    public void Dispose() => inFlight.Dispose();

    /// <summary>Up to <see cref="PipelineOptions.FanOutPagesPerChunk"/> pages of the branch from the chunk's position, as one
    /// page (its token: where the last one read stopped); fewer when the branch ends first.</summary>
    private async Task<ContactPage> ReadPagesAsync(FanOutChunk chunk, CancellationToken cancellationToken)
    {
        var page = await membership.GetContactsPageAsync(
            chunk.UnionId, chunk.BranchId, options.FanOutPageSize, chunk.ContinuationToken, cancellationToken).ConfigureAwait(false);
        if (options.FanOutPagesPerChunk == 1 || page.ContinuationToken is null)
        {
            return page;
        }

        var contacts = new List<ContactEntry>(page.Contacts);
        for (var read = 1; read < options.FanOutPagesPerChunk && page.ContinuationToken is { } token; read++)
        {
            page = await membership.GetContactsPageAsync(chunk.UnionId, chunk.BranchId, options.FanOutPageSize, token, cancellationToken).ConfigureAwait(false);
            contacts.AddRange(page.Contacts);
        }

        return new ContactPage(contacts, page.ContinuationToken);
    }

    private async Task<FanOutChunkResult> HandleOneAsync(FanOutChunk chunk, CancellationToken cancellationToken)
    {
        var alert = await lookups.GetAlertAsync(chunk.AlertId, cancellationToken).ConfigureAwait(false)
                    ?? throw new PipelineRetryException($"Alert {chunk.AlertId} is not stored (yet); chunk {chunk} will be retried.");
        var page = await ReadPagesAsync(chunk, cancellationToken).ConfigureAwait(false);

        // Defence in depth for tenancy (only this chunk's union and branch) and opt-outs: the planner shared with previews.
        var now = time.Now();
        var planned = await planner.PlanAsync(alert, chunk.UnionId, chunk.BranchId, page.Contacts, now, options.QuietHoursWindow, cancellationToken).ConfigureAwait(false);
        var rows = planned.Rows;
        var outcomes = rows.Count == 0 ? [] : await deliveries.AddNewAsync(alert.AlertId, rows, cancellationToken).ConfigureAwait(false);

        // Outcomes come one per row, in order: every row still Pending in storage is dispatched, at its NotBefore if it has one.
        var pending = outcomes.Zip(rows).Where(p => p.First.Status == DeliveryStatus.Pending).Select(p => (p.First.Key, p.Second.NotBefore)).ToList();
        var horizon = now + DispatchBatch.MaxScheduleAhead;
        var later = pending.Where(p => p.NotBefore is { } notBefore && notBefore > horizon)
            .Select(p => new DeferredDispatch(p.Key, p.NotBefore!.Value, p.NotBefore!.Value))
            .ToList();
        if (later.Count > 0)
        {
            await deferred.AddAsync(later, cancellationToken).ConfigureAwait(false);
        }

        // Each batch carries the current trace context (the FanOutChunk span): the alert stays one trace through dispatch.
        var trace = PipelineTelemetry.CurrentTraceParent();
        var batches = pending.Where(p => p.NotBefore is not { } notBefore || notBefore <= horizon)
            .GroupBy(p => p.NotBefore is { } notBefore && notBefore > now ? notBefore : (Instant?)null)
            .SelectMany(g => DispatchBatch.Split(g.Select(p => p.Key), options.DispatchBatchSize, g.Key, trace))
            .ToList();
        if (batches.Count > 0)
        {
            await dispatch.SendAsync(batches, cancellationToken).ConfigureAwait(false);
        }

        // Contacts read so far: exact when every chunk of the branch carried it; else pages before × page size (approximate).
        // (A chunk message without it was written when a chunk read one page.)
        var read = (chunk.ContactsBefore ?? (chunk.Page * options.FanOutPageSize)) + page.Contacts.Count;
        var next = page.ContinuationToken is { } token ? chunk with { Page = chunk.Page + 1, ContinuationToken = token, ContactsBefore = read } : null;
        if (next is null)
        {
            await counts.RecordAsync(chunk.UnionId, chunk.BranchId, new BranchContactCount(read, now), cancellationToken).ConfigureAwait(false);
        }

        return new FanOutChunkResult(
            next,
            planned.Contacts.Count,
            outcomes.Count(o => o.Added),
            rows.Count(r => r.Status == DeliveryStatus.Skipped),
            pending.Count(p => p.Key.Channel == Channel.Sms),
            pending.Count(p => p.Key.Channel == Channel.Email),
            batches.Count)
        {
            Scheduled = pending.Count(p => p.NotBefore is { } notBefore && notBefore > now) - later.Count,
            Deferred = later.Count,
        };
    }
}

/// <param name="Next">The branch's next page, or null.</param>
/// <param name="Contacts">Contacts read on this page.</param>
/// <param name="Added">Rows this run inserted (0 when the chunk ran before).</param>
/// <param name="Skipped">Rows of this page planned as Skipped.</param>
/// <param name="Sms">Pending SMS rows dispatched (now or scheduled).</param>
/// <param name="Email">Pending email rows dispatched.</param>
/// <param name="Batches">Dispatch batches sent.</param>
public sealed record FanOutChunkResult(FanOutChunk? Next, int Contacts, int Added, int Skipped, int Sms, int Email, int Batches)
{
    /// <summary>Pending SMS rows sent in batches scheduled for the end of quiet hours.</summary>
    public int Scheduled { get; init; }

    /// <summary>Pending SMS rows deferred beyond <see cref="DispatchBatch.MaxScheduleAhead"/>: recorded for the ScheduleTick, no dispatch now.</summary>
    public int Deferred { get; init; }
}

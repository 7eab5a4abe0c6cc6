using System.Collections.Concurrent;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;
using NodaTime;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Releases SMS dispatches deferred beyond what a transport can schedule (run by the ScheduleTick every minute): the due
/// rows go out as dispatch batches through <see cref="IDispatchQueue"/>. The entries move to their re-check before the
/// batches are sent, so a send that fails (or a batch lost later) is emitted again at the re-check. Per due entry of
/// <see cref="IDeferredDispatchStore"/>:
/// <list type="bullet">
/// <item>never released → emit a dispatch message, move the entry to its re-check (<see cref="PipelineOptions.DeferredRedeliverAfter"/> later);</item>
/// <item>a re-check → read the row: gone or no longer Pending → remove the entry (it was sent, skipped or failed);
/// Pending with a <c>NotBefore</c> still ahead → move the entry there; Pending and due → emit again (the first message
/// was lost, or is still queued: duplicates are harmless, senders claim rows with ETags) and re-check after twice the
/// interval (at most an hour).</item>
/// </list>
/// An entry is removed only once its row has moved on, so no deferred SMS is ever skipped. A failure on one entry is
/// reported and leaves it due for the next tick.
/// </summary>
public sealed class DeferredDispatchReleaser(IDeferredDispatchStore deferred, IDeliveryStore deliveries, IDispatchQueue dispatch, PipelineOptions options, TimeProvider time)
{
    private const int Parallelism = 8;
    private static readonly Duration MaxRecheck = Duration.FromHours(1);

    public async Task<DeferredReleaseResult> ReleaseAsync(CancellationToken cancellationToken)
    {
        var now = time.Now();
        var due = await deferred.GetDueAsync(now, options.DeferredReleaseBatch, cancellationToken).ConfigureAwait(false);
        var emitted = new ConcurrentBag<(DeliveryKey Key, bool Again)>();
        var removed = 0;
        var postponed = 0;
        var problems = new ConcurrentBag<DeferredProblem>();
        await Parallel.ForEachAsync(
            due,
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (entry, ct) =>
            {
                try
                {
                    switch (await DecideAsync(entry, now, ct).ConfigureAwait(false))
                    {
                        case Decision.Emit:
                            emitted.Add((entry.Key, entry.Releases > 0));
                            await deferred.MoveAsync(entry, NextCheck(entry, now), ct).ConfigureAwait(false);
                            break;
                        case Decision.Remove:
                            await deferred.RemoveAsync(entry, ct).ConfigureAwait(false);
                            Interlocked.Increment(ref removed);
                            break;
                        case Decision.Postpone { Until: var until }:
                            await deferred.MoveAsync(entry, entry with { DueAt = until, NotBefore = until }, ct).ConfigureAwait(false);
                            Interlocked.Increment(ref postponed);
                            break;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    problems.Add(new DeferredProblem(entry.Key, $"{ex.GetType().Name}: {ex.Message}"));
                }
            }).ConfigureAwait(false);

        var batches = DispatchBatch.Split(emitted.Select(e => e.Key), options.DispatchBatchSize);
        if (batches.Count > 0)
        {
            await dispatch.SendAsync(batches, cancellationToken).ConfigureAwait(false);
        }

        return new DeferredReleaseResult(
            now,
            emitted.Count,
            batches.Count,
            emitted.Count(e => !e.Again),
            emitted.Count(e => e.Again),
            removed,
            postponed,
            [.. problems]);
    }

    private async Task<Decision> DecideAsync(DeferredDispatch entry, Instant now, CancellationToken cancellationToken)
    {
        if (entry.Releases == 0)
        {
            return Decision.Emit.Instance;
        }

        var stored = await deliveries.GetAsync(entry.Key, cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.Record.Status != DeliveryStatus.Pending)
        {
            return Decision.Remove.Instance;
        }

        return stored.Record.NotBefore is { } notBefore && notBefore > now ? new Decision.Postpone(notBefore) : Decision.Emit.Instance;
    }

    /// <summary>The entry after one more release: re-checked an interval after this minute, the interval doubling per release.</summary>
    private DeferredDispatch NextCheck(DeferredDispatch entry, Instant now)
    {
        var interval = Duration.FromTimeSpan(options.DeferredRedeliverAfter);
        for (var i = 0; i < entry.Releases && interval < MaxRecheck; i++)
        {
            interval *= 2;
        }

        // From the start of the minute, so that two hosts ticking in the same minute move an entry to the same key.
        var minute = Instant.FromUnixTimeTicks(now.ToUnixTimeTicks() / NodaConstants.TicksPerMinute * NodaConstants.TicksPerMinute);
        return entry with
        {
            DueAt = minute + (interval > MaxRecheck ? MaxRecheck : interval),
            Releases = entry.Releases + 1,
            ReleasedAt = now,
        };
    }

    private abstract record Decision
    {
        public sealed record Emit : Decision
        {
            public static readonly Emit Instance = new();
        }

        public sealed record Remove : Decision
        {
            public static readonly Remove Instance = new();
        }

        public sealed record Postpone(Instant Until) : Decision;
    }
}

/// <param name="Now">The tick's instant.</param>
/// <param name="Dispatched">Rows sent in dispatch batches (released and re-emitted).</param>
/// <param name="Batches">Dispatch batches sent.</param>
/// <param name="Released">Entries released for the first time.</param>
/// <param name="Reemitted">Entries whose row was still Pending at its re-check: emitted again.</param>
/// <param name="Removed">Entries whose row had moved on: removed.</param>
/// <param name="Postponed">Entries whose row's NotBefore was still ahead: moved there.</param>
/// <param name="Problems">Entries that failed (left due for the next tick). Keys and error types only: safe to log.</param>
public sealed record DeferredReleaseResult(
    Instant Now, int Dispatched, int Batches, int Released, int Reemitted, int Removed, int Postponed, IReadOnlyList<DeferredProblem> Problems);

public sealed record DeferredProblem(DeliveryKey Key, string Reason);

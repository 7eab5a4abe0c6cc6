using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;
using NodaTime;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// The claim discipline every sender and callback shares. All writes are conditional on the ETag that was read, so of two
/// workers racing for a row exactly one wins; the loser reads what the winner did and stops. Every write that moves a row
/// out of Sending also drops its address (<see cref="DeliveryRecord.WithoutSpentAddress"/>), and so does any write to a
/// row that left Sending before that rule (a late callback cleans it). Transactions group rows by partition in their
/// alert's layout (<see cref="AlertRecord.Layout"/>, through the cached <see cref="PipelineLookups"/>).
/// </summary>
public sealed class DeliveryClaims(IDeliveryStore deliveries, PipelineOptions options, TimeProvider time, PipelineLookups lookups)
{
    private const int MaxMergeAttempts = 5;

    public Instant Now => time.Now();

    /// <summary>Whether another sender holds a fresh claim (Sending, not released, younger than the stuck threshold).</summary>
    public bool IsBusy(DeliveryRecord row) =>
        row.Status == DeliveryStatus.Sending && !row.Released && row.ClaimedAt is { } claimed
        && Now - claimed < Duration.FromTimeSpan(options.StuckSendingAfter);

    /// <summary>
    /// Reads the row; while another sender holds a fresh claim, re-reads every <see cref="PipelineOptions.BusyPollInterval"/>
    /// until it finishes or its claim goes stale, for at most <see cref="PipelineOptions.MaxBusyWait"/>; then throws
    /// <see cref="PipelineRetryException"/> so the message comes back later.
    /// </summary>
    public async Task<StoredDelivery?> LoadAsync(DeliveryKey key, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        while (true)
        {
            var stored = await deliveries.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (stored is null || !IsBusy(stored.Record))
            {
                return stored;
            }

            var staleIn = (stored.Record.ClaimedAt!.Value + Duration.FromTimeSpan(options.StuckSendingAfter) - Now).ToTimeSpan();
            var delay = new[] { options.BusyPollInterval, staleIn, options.MaxBusyWait - waited }.Min();
            if (delay <= TimeSpan.Zero)
            {
                throw new PipelineRetryException($"Delivery {key} is claimed by another sender (attempt {stored.Record.Attempt}); retry later.");
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            waited += delay;
        }
    }

    /// <summary>
    /// Reads the rows (in parallel); rows another sender holds a fresh claim on are waited for as <see cref="LoadAsync"/>
    /// does. Per key, in order: the row (or null), or why it is still busy (then the message must come back).
    /// </summary>
    public async Task<IReadOnlyList<(StoredDelivery? Stored, string? Busy)>> LoadAllAsync(IReadOnlyList<DeliveryKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var rows = await deliveries.GetManyAsync(keys, cancellationToken).ConfigureAwait(false);
        var loaded = rows.Select(r => (Stored: r, Busy: (string?)null)).ToArray();
        var busy = Enumerable.Range(0, keys.Count).Where(i => rows[i] is { } row && IsBusy(row.Record)).ToList();
        await Parallel.ForEachAsync(busy, cancellationToken, async (i, ct) =>
        {
            try
            {
                loaded[i] = (await LoadAsync(keys[i], ct).ConfigureAwait(false), null);
            }
            catch (PipelineRetryException ex)
            {
                loaded[i] = (rows[i], ex.Message);
            }
        }).ConfigureAwait(false);
        return loaded;
    }

    /// <summary>
    /// Conditional replaces of many rows: one transaction per partition (up to <see cref="IDeliveryStore.MaxTransaction"/>
    /// rows); a transaction that loses a race (412) falls back to one conditional replace per row, so one changed row does
    /// not fail the others. Per row, in order: the stored row, or null when that row changed meanwhile.
    /// </summary>
    public async Task<IReadOnlyList<StoredDelivery?>> TryUpdateAllAsync(IReadOnlyList<(StoredDelivery From, DeliveryRecord Row)> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var results = new StoredDelivery?[updates.Count];
        var layouts = new Dictionary<AlertId, DeliveryLayout>();
        foreach (var alertId in updates.Skip(updates.Count < 2 ? updates.Count : 0).Select(u => u.Row.AlertId).Distinct())
        {
            // A row's partition follows its alert's layout; an alert not stored (never the case for a row fan-out wrote) has 16 buckets.
            layouts[alertId] = (await lookups.GetAlertAsync(alertId, cancellationToken).ConfigureAwait(false))?.Layout ?? DeliveryLayout.Sixteen;
        }

        var groups = Enumerable.Range(0, updates.Count)
            .GroupBy(i => (updates[i].Row.AlertId, Bucket: layouts.TryGetValue(updates[i].Row.AlertId, out var layout) ? layout.Of(updates[i].Row.Key) : 0))
            .SelectMany(g => g.Chunk(IDeliveryStore.MaxTransaction))
            .ToList();
        await Parallel.ForEachAsync(groups, cancellationToken, async (positions, ct) =>
        {
            var stored = positions.Length == 1 ? null
                : await deliveries.TryUpdateAllAsync([.. positions.Select(i => (updates[i].Row, updates[i].From.ETag))], ct).ConfigureAwait(false);
            if (stored is not null)
            {
                for (var j = 0; j < positions.Length; j++)
                {
                    results[positions[j]] = stored[j];
                }

                return;
            }

            await Parallel.ForEachAsync(positions, ct, async (i, ct2) =>
                results[i] = await deliveries.TryUpdateAsync(updates[i].Row, updates[i].From.ETag, ct2).ConfigureAwait(false)).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return results;
    }

    /// <summary>Claims many rows (<see cref="ClaimAsync"/> each) in transactions (<see cref="TryUpdateAllAsync"/>). Null where the race was lost.</summary>
    public Task<IReadOnlyList<StoredDelivery?>> ClaimAllAsync(IReadOnlyList<(StoredDelivery Stored, DeliveryRecord Described)> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return TryUpdateAllAsync([.. rows.Select(r => (r.Stored, ClaimedRow(r.Stored, r.Described)))], cancellationToken);
    }

    /// <summary>Moves many rows (<see cref="TryMoveAsync"/> each) in transactions. Null where the move is not allowed or the row changed.</summary>
    public async Task<IReadOnlyList<StoredDelivery?>> TryMoveAllAsync(
        IReadOnlyList<(StoredDelivery Stored, DeliveryStatus To, Func<DeliveryRecord, DeliveryRecord> Change)> moves, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(moves);
        var allowed = Enumerable.Range(0, moves.Count).Where(i => DeliveryTransitions.CanMove(moves[i].Stored.Record.Status, moves[i].To)).ToList();
        var moved = await TryUpdateAllAsync(
            [.. allowed.Select(i => (moves[i].Stored, (moves[i].Change(moves[i].Stored.Record) with { Status = moves[i].To, UpdatedAt = Now }).WithoutSpentAddress()))],
            cancellationToken).ConfigureAwait(false);
        var results = new StoredDelivery?[moves.Count];
        for (var j = 0; j < allowed.Count; j++)
        {
            results[allowed[j]] = moved[j];
        }

        return results;
    }

    /// <summary>
    /// Records many provider results (<see cref="RecordResultAsync"/> each): the rows that change go in transactions; a row
    /// that changed meanwhile (a status callback was first) is re-read and merged on its own. Returns the stored rows, in order.
    /// </summary>
    public async Task<IReadOnlyList<StoredDelivery>> RecordResultsAsync(
        IReadOnlyList<(StoredDelivery Stored, DeliveryStatus Incoming, Func<DeliveryRecord, bool, DeliveryRecord> Change)> results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        var stored = results.Select(r => r.Stored).ToArray();
        var changes = new List<(int Index, DeliveryRecord Row)>();
        for (var i = 0; i < results.Count; i++)
        {
            var (from, incoming, change) = results[i];
            var transition = DeliveryTransitions.Apply(from.Record.Status, incoming);
            var row = (change(from.Record, transition.Changed) with { Status = transition.Status, UpdatedAt = from.Record.UpdatedAt }).WithoutSpentAddress();
            if (row != from.Record)
            {
                changes.Add((i, row with { UpdatedAt = Now }));
            }
        }

        var written = await TryUpdateAllAsync([.. changes.Select(c => (stored[c.Index], c.Row))], cancellationToken).ConfigureAwait(false);
        var lost = new List<int>();
        for (var j = 0; j < changes.Count; j++)
        {
            if (written[j] is { } row)
            {
                stored[changes[j].Index] = row;
            }
            else
            {
                lost.Add(changes[j].Index);
            }
        }

        await Parallel.ForEachAsync(lost, cancellationToken, async (i, ct) =>
            stored[i] = await RecordResultAsync(results[i].Stored, results[i].Incoming, results[i].Change, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return stored;
    }

    /// <summary>Claims a Pending (or released/stale Sending) row: Sending, Attempt + 1, ClaimedAt = now. Null: lost the race.</summary>
    public Task<StoredDelivery?> ClaimAsync(StoredDelivery stored, Func<DeliveryRecord, DeliveryRecord> details, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(details);
        return deliveries.TryUpdateAsync(ClaimedRow(stored, details(stored.Record)), stored.ETag, cancellationToken);
    }

    private DeliveryRecord ClaimedRow(StoredDelivery stored, DeliveryRecord described)
    {
        var now = Now;
        return described with
        {
            Status = DeliveryStatus.Sending,
            Attempt = stored.Record.Attempt + 1,
            ClaimedAt = now,
            FirstClaimedAt = stored.Record.FirstClaimedAt ?? now,
            Released = false,
            HandedOverAt = null,
            UpdatedAt = now,
            // The sending span's context: the provider's status callbacks continue this trace (docs/observability.md).
            TraceParent = PipelineTelemetry.CurrentTraceParent() ?? stored.Record.TraceParent,
        };
    }

    /// <summary>
    /// Releases a claim whose last update (the handover mark) may have been written although its write failed (the
    /// answer was lost, so the claim's ETag is out of date): re-reads the row and, if it is still this claim (Sending, not
    /// released, same attempt and claim time), releases it and clears the mark. Null: the row moved on (another
    /// sender's claim, a result), or changed again meanwhile.
    /// </summary>
    public async Task<StoredDelivery?> TryReleaseOwnClaimAsync(StoredDelivery claimed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        if (await ReadOwnClaimAsync(claimed, cancellationToken).ConfigureAwait(false) is not { } current)
        {
            return null;
        }

        var now = Now;
        return await deliveries.TryUpdateAsync(current.Record with { Released = true, HandedOverAt = null, UpdatedAt = now }, current.ETag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Marks a claimed row as about to be handed to the provider (<see cref="DeliveryRecord.HandedOverAt"/>), conditional on
    /// the claim's ETag. Null: the row changed meanwhile (send nothing).
    /// </summary>
    public Task<StoredDelivery?> TryMarkHandoverAsync(StoredDelivery claimed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        var now = Now;
        return deliveries.TryUpdateAsync(claimed.Record with { HandedOverAt = now, UpdatedAt = now }, claimed.ETag, cancellationToken);
    }

    /// <summary>
    /// Stores the handover mark of a claim whose end of data has gone out (<see cref="EmailEndOfData.MarkSent"/>) after its
    /// first mark failed: re-reads the row and marks it, every <see cref="MarkRetryInterval"/>, until the table holds this
    /// claim marked (returned), the row no longer holds this claim (null: another writer moved it), or the claim would go
    /// stale (null). Until then no other sender resends it, and a kill after it leaves a mark (Sent-unconfirmed).
    /// </summary>
    public async Task<StoredDelivery?> EnsureMarkedAsync(StoredDelivery claimed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        var stale = claimed.Record.ClaimedAt!.Value + Duration.FromTimeSpan(options.StuckSendingAfter);
        while (true)
        {
            try
            {
                if (await ReadOwnClaimAsync(claimed, cancellationToken).ConfigureAwait(false) is not { } current)
                {
                    return null;
                }

                if (current.Record.HandedOverAt is not null)
                {
                    return current;
                }

                var now = Now;
                if (await deliveries.TryUpdateAsync(current.Record with { HandedOverAt = now, UpdatedAt = now }, current.ETag, cancellationToken).ConfigureAwait(false) is { } marked)
                {
                    return marked;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The table is still away: try again below.
            }

            var left = (stale - Now).ToTimeSpan();
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            await Task.Delay(left < MarkRetryInterval ? left : MarkRetryInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The row as stored now if it still holds <paramref name="claimed"/>'s claim (Sending, not released, the same attempt and claim time); else null.</summary>
    private async Task<StoredDelivery?> ReadOwnClaimAsync(StoredDelivery claimed, CancellationToken cancellationToken) =>
        await deliveries.GetAsync(claimed.Record.Key, cancellationToken).ConfigureAwait(false) is { Record: { Status: DeliveryStatus.Sending, Released: false } row } current
        && row.Attempt == claimed.Record.Attempt && row.ClaimedAt == claimed.Record.ClaimedAt
            ? current
            : null;

    /// <summary>How often <see cref="EnsureMarkedAsync"/> tries again.</summary>
    public static readonly TimeSpan MarkRetryInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Renews a claim (<see cref="DeliveryRecord.ClaimedAt"/> = now), conditional on the claim's ETag, for a send about to go
    /// out late. Null: the row changed meanwhile (send nothing).
    /// </summary>
    public Task<StoredDelivery?> TryRenewClaimAsync(StoredDelivery claimed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        var now = Now;
        return deliveries.TryUpdateAsync(claimed.Record with { ClaimedAt = now, UpdatedAt = now }, claimed.ETag, cancellationToken);
    }

    /// <summary>One conditional move to <paramref name="to"/> (if allowed) with <paramref name="change"/>. Null: the row changed meanwhile.</summary>
    public Task<StoredDelivery?> TryMoveAsync(
        StoredDelivery stored, DeliveryStatus to, Func<DeliveryRecord, DeliveryRecord> change, CancellationToken cancellationToken)
    {
        if (!DeliveryTransitions.CanMove(stored.Record.Status, to))
        {
            return Task.FromResult<StoredDelivery?>(null);
        }

        var row = (change(stored.Record) with { Status = to, UpdatedAt = Now }).WithoutSpentAddress();
        return deliveries.TryUpdateAsync(row, stored.ETag, cancellationToken);
    }

    /// <summary>
    /// Records a provider result (our send's outcome or a status callback), merging with whatever happened meanwhile: the
    /// status moves only forward (<see cref="DeliveryTransitions.Apply"/>), <paramref name="change"/> gets whether it moved,
    /// and a lost race re-reads and re-applies. Returns the stored row (unchanged when there was nothing to write).
    /// </summary>
    public async Task<StoredDelivery> RecordResultAsync(
        StoredDelivery stored, DeliveryStatus incoming, Func<DeliveryRecord, bool, DeliveryRecord> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var transition = DeliveryTransitions.Apply(stored.Record.Status, incoming);
            var row = (change(stored.Record, transition.Changed) with { Status = transition.Status, UpdatedAt = stored.Record.UpdatedAt }).WithoutSpentAddress();
            if (row == stored.Record)
            {
                return stored;
            }

            if (await deliveries.TryUpdateAsync(row with { UpdatedAt = Now }, stored.ETag, cancellationToken).ConfigureAwait(false) is { } updated)
            {
                return updated;
            }

            stored = await deliveries.GetAsync(stored.Record.Key, cancellationToken).ConfigureAwait(false)
                     ?? throw new PipelineRetryException($"Delivery {stored.Record.Key} disappeared while recording a result.");
            if (attempt >= MaxMergeAttempts)
            {
                throw new PipelineRetryException($"Delivery {stored.Record.Key} kept changing while recording a result.");
            }
        }
    }
}

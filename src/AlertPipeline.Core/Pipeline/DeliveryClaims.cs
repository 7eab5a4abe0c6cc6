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
/// row that left Sending before that rule (a late callback cleans it).
/// </summary>
public sealed class DeliveryClaims(IDeliveryStore deliveries, PipelineOptions options, TimeProvider time)
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

    /// <summary>Claims a Pending (or released/stale Sending) row: Sending, Attempt + 1, ClaimedAt = now. Null: lost the race.</summary>
    public Task<StoredDelivery?> ClaimAsync(StoredDelivery stored, Func<DeliveryRecord, DeliveryRecord> details, CancellationToken cancellationToken)
    {
        var now = Now;
        var row = details(stored.Record) with
        {
            Status = DeliveryStatus.Sending,
            Attempt = stored.Record.Attempt + 1,
            ClaimedAt = now,
            FirstClaimedAt = stored.Record.FirstClaimedAt ?? now,
            Released = false,
            UpdatedAt = now,
            // The sending span's context: the provider's status callbacks continue this trace (docs/observability.md).
            TraceParent = PipelineTelemetry.CurrentTraceParent() ?? stored.Record.TraceParent,
        };
        return deliveries.TryUpdateAsync(row, stored.ETag, cancellationToken);
    }

    /// <summary>Marks our claim released: the attempt provably handed nothing to the provider. Null when the row changed meanwhile.</summary>
    public Task<StoredDelivery?> ReleaseAsync(StoredDelivery claimed, CancellationToken cancellationToken) =>
        deliveries.TryUpdateAsync(claimed.Record with { Released = true, UpdatedAt = Now }, claimed.ETag, cancellationToken);

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

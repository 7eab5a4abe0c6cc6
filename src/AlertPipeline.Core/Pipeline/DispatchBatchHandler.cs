using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// THE consumer body of a dispatch message, whichever transport carried it: sends the batch with the channel's sender
/// (<see cref="DeliverySender.SendBatchAsync"/>: its rows read by a few partition queries, one opt-out look-up, one HELP-index transaction,
/// claims and outcomes in table transactions) and decides how the message settles:
/// <list type="bullet">
/// <item>every row settled (sent, skipped, failed for good, already done, deferred, not found) → <see cref="DispatchSettlement.Complete"/>;</item>
/// <item>some row left Pending or Sending (transient failure, unknown outcome, a fresh claim elsewhere, the alert not stored
/// yet), or changed by another writer between our read and our write (<see cref="SendOutcome.ClaimLost"/>: a rival's claim,
/// but also a rival's release, or a dead sender's last write, which nobody else will follow up) → <see cref="DispatchSettlement.RetryLater"/>
/// after <see cref="Backoff"/>: the message comes back and finds the row settled, busy, or free to send;</item>
/// <item>the same at delivery <see cref="PipelineOptions.MaxDispatchDeliveries"/> → <see cref="DispatchSettlement.DeadLetter"/>
/// (<see cref="DeadLetterReasons.AlertMissing"/> when the alert never appeared, <see cref="DeadLetterReasons.TooManyDeliveries"/>
/// otherwise), naming how many rows are left; the rows stay as they are, visible in the delivery report.</item>
/// </list>
/// </summary>
public sealed class DispatchBatchHandler(SendSmsHandler sms, SendEmailHandler email, PipelineOptions options, TimeProvider time)
{
    /// <param name="deliveryCount">1-based: the Storage queue's DequeueCount or the Service Bus DeliveryCount.</param>
    public async Task<DispatchBatchResult> HandleAsync(DispatchBatch batch, int deliveryCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(deliveryCount, 1);
        DeliverySender sender = batch.Channel == Channel.Sms ? sms : email;
        var sent = await sender.SendBatchAsync(batch.Keys, cancellationToken).ConfigureAwait(false);
        return new DispatchBatchResult(sent.Rows, Settle(batch, sent, deliveryCount));
    }

    /// <summary>The delay before the message comes back after its <paramref name="deliveryCount"/>-th delivery: 10 s doubling, at most 5 minutes.</summary>
    public static TimeSpan Backoff(int deliveryCount) =>
        TimeSpan.FromSeconds(Math.Min(10 * Math.Pow(2, Math.Clamp(deliveryCount, 1, 16) - 1), 300));

    private DispatchSettlement Settle(DispatchBatch batch, SentBatch sent, int deliveryCount)
    {
        var unsettled = sent.Rows.Where(r => r.Outcome is SendOutcome.Retry or SendOutcome.ClaimLost).ToList();
        // A scheduled batch is its rows' only carrier: arriving before their NotBefore (clock skew), it must come back then.
        var early = sent.Rows.Where(r => r.Outcome == SendOutcome.Deferred && batch.NotBefore is { } due && r.NotBefore <= due).ToList();
        if (unsettled.Count == 0 && early.Count == 0)
        {
            return DispatchSettlement.Complete.Instance;
        }

        if (unsettled.Count == 0 && deliveryCount < options.MaxDispatchDeliveries)
        {
            var wait = (early.Max(r => r.NotBefore!.Value) - time.Now()).ToTimeSpan();
            return new DispatchSettlement.RetryLater(
                wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait, $"{early.Count} deliveries arrived before their quiet hours end");
        }

        unsettled.AddRange(early);

        var reason = $"{unsettled.Count} of {sent.Rows.Count} deliveries not settled; first: {unsettled[0].Detail ?? unsettled[0].Outcome.ToString()}";
        if (deliveryCount < options.MaxDispatchDeliveries)
        {
            return new DispatchSettlement.RetryLater(Backoff(deliveryCount), reason);
        }

        return sent.AlertMissing
            ? new DispatchSettlement.DeadLetter(
                DeadLetterReasons.AlertMissing,
                $"Dispatch {batch.DispatchId}: alert {batch.AlertId} was still not stored after {deliveryCount} deliveries; its {unsettled.Count} rows stay Pending.")
            : new DispatchSettlement.DeadLetter(
                DeadLetterReasons.TooManyDeliveries,
                $"Dispatch {batch.DispatchId} was delivered {deliveryCount} times; {reason}. Those rows stay Pending or Sending.");
    }
}

using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// THE consumer body of a dispatch message, whichever transport carried it: sends every delivery of the batch with the
/// channel's sender and decides how the message settles (<see cref="DispatchSettlement"/>).
/// </summary>
public sealed class DispatchBatchHandler(SendSmsHandler sms, SendEmailHandler email, PipelineOptions options)
{
    /// <param name="deliveryCount">1-based: the Storage queue's DequeueCount or the Service Bus DeliveryCount.</param>
    public async Task<DispatchBatchResult> HandleAsync(DispatchBatch batch, int deliveryCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(deliveryCount, 1);
        DeliverySender sender = batch.Channel == Channel.Sms ? sms : email;
        var rows = new List<SendResult>(batch.Recipients.Count);
        foreach (var key in batch.Keys)
        {
            try
            {
                rows.Add(await sender.HandleAsync(key, cancellationToken).ConfigureAwait(false));
            }
            catch (PipelineRetryException ex)
            {
                rows.Add(new SendResult(SendOutcome.Retry, key, null) { Detail = ex.Message });
            }
        }

        return new DispatchBatchResult(rows, Settle(batch, rows, deliveryCount));
    }

    /// <summary>The delay before the <paramref name="deliveryCount"/>-th retry: 10 s doubling, at most 5 minutes.</summary>
    public static TimeSpan Backoff(int deliveryCount) =>
        TimeSpan.FromSeconds(Math.Min(10 * Math.Pow(2, Math.Clamp(deliveryCount, 1, 16) - 1), 300));

    private DispatchSettlement Settle(DispatchBatch batch, IReadOnlyList<SendResult> rows, int deliveryCount)
    {
        var unsettled = rows.Where(r => r.Outcome == SendOutcome.Retry).ToList();
        if (unsettled.Count == 0)
        {
            return DispatchSettlement.Complete.Instance;
        }

        var reason = $"{unsettled.Count} of {rows.Count} deliveries not settled: {unsettled[0].Detail}";
        return deliveryCount >= options.MaxDispatchDeliveries
            ? new DispatchSettlement.DeadLetter(
                DeadLetterReasons.TooManyDeliveries,
                $"Dispatch {batch.DispatchId} was delivered {deliveryCount} times; {reason}. Those rows stay Pending or Sending.")
            : new DispatchSettlement.RetryLater(Backoff(deliveryCount), reason);
    }
}

using AlertPipeline.Core.Pipeline;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace AlertPipeline.Infrastructure.ServiceBus;

/// <summary>What <see cref="DispatchSettler"/> did with a message.</summary>
public enum DispatchSettleAction
{
    /// <summary>Completed: every delivery reached a state this message need not revisit.</summary>
    Completed,

    /// <summary>A scheduled copy was sent (<see cref="DispatchSettlement.RetryLater"/>), then the message completed.</summary>
    RetryScheduled,

    /// <summary>Dead-lettered with a reason and description (malformed, too many deliveries, alert missing).</summary>
    DeadLettered,

    /// <summary>Abandoned after an unexpected failure: delivered again at once; the queue dead-letters it at its MaxDeliveryCount.</summary>
    Abandoned,
}

/// <summary>
/// THE body of a Service Bus dispatch message (docs/pipeline.md, "Service Bus transport"): read and validate the batch,
/// run <see cref="DispatchBatchHandler.HandleAsync"/> with the delivery count, and settle the message as the handler
/// decided. The processor calls it with <see cref="ProcessorSettleActions"/>; a <c>[ServiceBusTrigger]</c> function could
/// call it with an adapter over <c>ServiceBusMessageActions</c>, nothing else changing.
/// </summary>
public sealed class DispatchSettler(
    Func<DispatchBatch, int, CancellationToken, Task<DispatchBatchResult>> handle,
    ServiceBusDispatchSenders senders,
    TimeProvider time,
    ILogger<DispatchSettler> logger)
{
    /// <summary>The longest dead-letter description sent (the broker keeps it in the message's properties).</summary>
    public const int MaxDescriptionLength = 1024;

    /// <summary>Builds the settler over <paramref name="handler"/> (the registration's shape; tests pass a delegate).</summary>
    public DispatchSettler(DispatchBatchHandler handler, ServiceBusDispatchSenders senders, TimeProvider time, ILogger<DispatchSettler> logger)
        : this((handler ?? throw new ArgumentNullException(nameof(handler))).HandleAsync, senders, time, logger)
    {
    }

    /// <summary>
    /// Settles <paramref name="message"/>: malformed → dead-letter <see cref="DeadLetterReasons.MalformedMessage"/>;
    /// the handler's <see cref="DispatchSettlement.Complete"/> → complete; <see cref="DispatchSettlement.RetryLater"/> →
    /// a scheduled copy, then complete; <see cref="DispatchSettlement.DeadLetter"/> → dead-letter with its reason and
    /// description; anything thrown → abandon (delivered again; the queue's MaxDeliveryCount dead-letters it in the end).
    /// <paramref name="cancellationToken"/> is the one the sends run under: pass one that outlives a graceful stop.
    /// </summary>
    public async Task<DispatchSettleAction> SettleAsync(ServiceBusReceivedMessage message, IDispatchSettleActions actions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(actions);
        if (!ServiceBusDispatchMessages.TryRead(message, out var batch, out var error))
        {
            ServiceBusLog.Malformed(logger, message.MessageId, message.DeliveryCount, error);
            await actions.DeadLetterAsync(DeadLetterReasons.MalformedMessage, Truncate(error!), cancellationToken).ConfigureAwait(false);
            return DispatchSettleAction.DeadLettered;
        }

        var deliveryCount = ServiceBusDispatchMessages.DeliveryCount(message);
        try
        {
            var result = await handle(batch!, deliveryCount, cancellationToken).ConfigureAwait(false);
            switch (result.Settlement)
            {
                case DispatchSettlement.RetryLater retry:
                    var copy = ServiceBusDispatchMessages.RetryCopy(message, batch!, deliveryCount, retry.Delay, Instant.FromDateTimeOffset(time.GetUtcNow()));
                    await senders.For(batch!.QueueName).SendMessageAsync(copy, cancellationToken).ConfigureAwait(false);
                    await actions.CompleteAsync(cancellationToken).ConfigureAwait(false);
                    ServiceBusLog.RetryScheduled(logger, batch.DispatchId, deliveryCount, copy.MessageId, retry.Delay, retry.Reason);
                    return DispatchSettleAction.RetryScheduled;

                case DispatchSettlement.DeadLetter deadLetter:
                    await actions.DeadLetterAsync(deadLetter.Reason, Truncate(deadLetter.Description), cancellationToken).ConfigureAwait(false);
                    ServiceBusLog.DeadLettered(logger, batch!.DispatchId, deliveryCount, deadLetter.Reason, deadLetter.Description);
                    return DispatchSettleAction.DeadLettered;

                default:
                    await actions.CompleteAsync(cancellationToken).ConfigureAwait(false);
                    ServiceBusLog.Completed(logger, batch!.DispatchId, deliveryCount, result.Rows.Count);
                    return DispatchSettleAction.Completed;
            }
        }
        catch (Exception ex)
        {
            // The message of an SDK's exception may quote a number or an address: logged by type and stack only.
            ServiceBusLog.Abandoning(logger, batch!.DispatchId, deliveryCount, ex.GetType().FullName ?? ex.GetType().Name, ex.StackTrace);
            try
            {
                // A hard stop cancelled the work: the abandon itself must still go out, or the message waits out its lock.
                await actions.AbandonAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception abandonFailure)
            {
                // The lock is already lost (or the link is down): the message comes back when its lock expires anyway.
                ServiceBusLog.AbandonFailed(logger, batch!.DispatchId, abandonFailure.GetType().FullName ?? abandonFailure.GetType().Name);
            }

            return DispatchSettleAction.Abandoned;
        }
    }

    private static string Truncate(string text) => text.Length <= MaxDescriptionLength ? text : text[..(MaxDescriptionLength - 1)] + "…";
}

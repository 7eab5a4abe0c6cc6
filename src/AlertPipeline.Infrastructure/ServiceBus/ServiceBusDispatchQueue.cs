using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using Azure.Messaging.ServiceBus;
using NodaTime;

namespace AlertPipeline.Infrastructure.ServiceBus;

/// <summary>
/// <see cref="IDispatchQueue"/> on Service Bus: each batch becomes one message on its channel's queue
/// (<see cref="ServiceBusDispatchMessages.Create"/>), sent in <see cref="ServiceBusMessageBatch"/>es (one AMQP transfer
/// each) that start afresh when full. A message scheduled for later (<c>NotBefore</c>) travels in the same batch: the
/// broker holds each message until its own <c>ScheduledEnqueueTime</c>, so <c>ScheduleMessagesAsync</c> (one management
/// call per message set, returning sequence numbers only needed to cancel) buys nothing here.
/// </summary>
public sealed class ServiceBusDispatchQueue(ServiceBusDispatchSenders senders, TimeProvider time) : IDispatchQueue
{
    public async Task SendAsync(IReadOnlyList<DispatchBatch> batches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var now = Instant.FromDateTimeOffset(time.GetUtcNow());
        foreach (var queue in batches.GroupBy(b => b.QueueName, StringComparer.Ordinal))
        {
            await SendToQueueAsync(senders.For(queue.Key), queue.Key, queue, now, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task SendToQueueAsync(
        ServiceBusSender sender, string queueName, IEnumerable<DispatchBatch> batches, Instant now, CancellationToken cancellationToken)
    {
        var transfer = await sender.CreateMessageBatchAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var batch in batches)
            {
                var message = ServiceBusDispatchMessages.Create(batch, now);
                if (transfer.TryAddMessage(message))
                {
                    continue;
                }

                if (transfer.Count == 0)
                {
                    throw TooLarge(batch, queueName, transfer.MaxSizeInBytes);
                }

                await sender.SendMessagesAsync(transfer, cancellationToken).ConfigureAwait(false);
                transfer.Dispose();
                transfer = await sender.CreateMessageBatchAsync(cancellationToken).ConfigureAwait(false);
                if (!transfer.TryAddMessage(message))
                {
                    throw TooLarge(batch, queueName, transfer.MaxSizeInBytes);
                }
            }

            if (transfer.Count > 0)
            {
                await sender.SendMessagesAsync(transfer, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            transfer.Dispose();
        }
    }

    private static InvalidOperationException TooLarge(DispatchBatch batch, string queueName, long maxBytes) =>
        new($"Dispatch {batch.DispatchId} ({batch.Recipients.Count} deliveries) does not fit in an empty Service Bus message batch for {queueName} (at most {maxBytes} bytes): lower Pipeline:DispatchBatchSize.");
}

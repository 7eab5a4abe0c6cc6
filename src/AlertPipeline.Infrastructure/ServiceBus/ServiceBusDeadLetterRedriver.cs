using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Pipeline;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;

namespace AlertPipeline.Infrastructure.ServiceBus;

/// <summary>
/// The Service Bus counterpart of <see cref="DispatchBatchRedriver"/> (docs/pipeline.md, "Dead-lettered dispatch messages"),
/// run by the ScheduleTick through <see cref="DispatchRedrivers"/>: reads each dispatch queue's dead-letter sub-queue
/// (<see cref="SubQueue.DeadLetter"/>, peek-lock) and sends a batch dead-lettered for a reason another run can settle
/// (<see cref="DispatchRedrive.IsRedrivableDeadLetter"/>) back to its queue as <see cref="ServiceBusDispatchMessages.RedriveCopy"/>,
/// completing the dead-lettered message only after the send succeeded. Each re-drive is counted first, in the same
/// <c>DispatchRedrives</c> table as the Storage transport's (with the dead-letter <c>Reason</c>), so the report's
/// <c>dispatch.incomplete</c> and the organiser's re-drive cover both transports. Past its budget, or malformed, a message
/// stays dead-lettered: it is abandoned once the pass is over (so the pass does not take it again), and the next tick
/// looks at it again.
/// </summary>
/// <remarks>
/// The copy's <c>MessageId</c> is dispatch id + <c>-dl{sequence number of the dead-lettered message}</c>: a crash between
/// the send and the complete sends the same id again on the next pass, which the queue's duplicate detection (1 h) drops,
/// so one dead-lettered message gives at most one live copy; the original's own ids (the dispatch id, <c>-r{n}</c>) are
/// never reused, so duplicate detection never drops the copy itself.
/// </remarks>
/// <param name="spend">The re-drive budget: <see cref="RedriveCounter.TrySpendAsync"/> over <c>DispatchRedrives</c> (tests pass a delegate).</param>
public sealed class ServiceBusDeadLetterRedriver(
    ServiceBusClient client,
    ServiceBusDispatchSenders senders,
    Func<string, string, IReadOnlyDictionary<string, object>, CancellationToken, Task<int?>> spend,
    ILogger<ServiceBusDeadLetterRedriver> logger)
{
    /// <summary>Messages asked for per receive.</summary>
    public const int MessagesPerReceive = 32;

    /// <summary>Messages looked at per queue and pass: the kept ones stay locked until the end of the pass, so more than this many kept messages can delay the others by a tick.</summary>
    public const int MessagesPerPass = 128;

    /// <summary>How long a receive waits for a message (an empty dead-letter queue costs this once per queue and tick).</summary>
    public static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(2);

    public ServiceBusDeadLetterRedriver(
        ServiceBusClient client, ServiceBusDispatchSenders senders, RedriveCounter counts, ILogger<ServiceBusDeadLetterRedriver> logger)
        : this(client, senders, (counts ?? throw new ArgumentNullException(nameof(counts))).TrySpendAsync, logger)
    {
    }

    /// <summary>The queues whose dead-letter sub-queues are read: both channels' dispatch queues.</summary>
    public static IReadOnlyList<string> Queues { get; } = [QueueNames.DispatchFor(Channel.Sms), QueueNames.DispatchFor(Channel.Email)];

    /// <summary>One pass over (up to <see cref="MessagesPerPass"/> of) each dispatch queue's dead-letter sub-queue.</summary>
    public async Task<PoisonRedriveResult> RedriveAsync(CancellationToken cancellationToken)
    {
        int redriven = 0, givenUp = 0, kept = 0;
        foreach (var queue in Queues)
        {
            var receiver = client.CreateReceiver(queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter, ReceiveMode = ServiceBusReceiveMode.PeekLock });
            await using (receiver.ConfigureAwait(false))
            {
                var held = new List<ServiceBusReceivedMessage>();
                try
                {
                    for (var seen = 0; seen < MessagesPerPass;)
                    {
                        var messages = await receiver.ReceiveMessagesAsync(MessagesPerReceive, ReceiveWait, cancellationToken).ConfigureAwait(false);
                        seen += messages.Count;
                        foreach (var message in messages)
                        {
                            switch (await RedriveOneAsync(receiver, queue, message, cancellationToken).ConfigureAwait(false))
                            {
                                case Outcome.Redriven:
                                    redriven++;
                                    break;
                                case Outcome.GivenUp:
                                    givenUp++;
                                    held.Add(message);
                                    break;
                                default:
                                    kept++;
                                    held.Add(message);
                                    break;
                            }
                        }

                        if (messages.Count < MessagesPerReceive)
                        {
                            break;
                        }
                    }
                }
                finally
                {
                    await ReleaseAsync(receiver, queue, held).ConfigureAwait(false);
                }
            }
        }

        return new PoisonRedriveResult(redriven, givenUp, kept);
    }

    private async Task<Outcome> RedriveOneAsync(ServiceBusReceiver receiver, string queue, ServiceBusReceivedMessage message, CancellationToken cancellationToken)
    {
        var reason = message.DeadLetterReason;
        if (!DispatchRedrive.IsRedrivableDeadLetter(reason))
        {
            ServiceBusLog.DeadLetterKept(logger, message.MessageId, queue, reason, "its dead-letter reason is not one another run can settle");
            return Outcome.Kept;
        }

        if (!ServiceBusDispatchMessages.TryRead(message, out var batch, out var error) || batch!.QueueName != queue)
        {
            ServiceBusLog.DeadLetterKept(logger, message.MessageId, queue, reason, error ?? "a dispatch message of the other channel");
            return Outcome.Kept;
        }

        var columns = new Dictionary<string, object>
        {
            ["Channel"] = batch.Channel.ToWireName(),
            ["Bucket"] = batch.Bucket,
            ["Recipients"] = batch.Recipients.Count,
            ["Reason"] = reason!,
        };
        if (await spend(batch.AlertId.Value, batch.DispatchId, columns, cancellationToken).ConfigureAwait(false) is not { } redrive)
        {
            return Outcome.GivenUp;
        }

        var copy = ServiceBusDispatchMessages.RedriveCopy(message, batch);
        await senders.For(queue).SendMessageAsync(copy, cancellationToken).ConfigureAwait(false);
        await receiver.CompleteMessageAsync(message, cancellationToken).ConfigureAwait(false);
        ServiceBusLog.DeadLetterRedriven(logger, batch.DispatchId, queue, reason, copy.MessageId, redrive);
        return Outcome.Redriven;
    }

    /// <summary>Gives the locks of the messages left dead-lettered back (they would come back when the locks expire anyway).</summary>
    private async Task ReleaseAsync(ServiceBusReceiver receiver, string queue, List<ServiceBusReceivedMessage> held)
    {
        foreach (var message in held)
        {
            try
            {
                await receiver.AbandonMessageAsync(message, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ServiceBusException or ObjectDisposedException or InvalidOperationException)
            {
                ServiceBusLog.DeadLetterAbandonFailed(logger, message.MessageId, queue, ex.GetType().Name);
            }
        }
    }

    private enum Outcome
    {
        Redriven,
        GivenUp,
        Kept,
    }
}

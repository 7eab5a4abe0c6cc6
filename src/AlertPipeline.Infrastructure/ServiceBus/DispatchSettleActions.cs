using Azure.Messaging.ServiceBus;

namespace AlertPipeline.Infrastructure.ServiceBus;

/// <summary>
/// How <see cref="DispatchSettler"/> settles the message it was given, whoever received it: the worker's
/// <see cref="ServiceBusProcessor"/> (<see cref="ProcessorSettleActions"/>) or, once the Service Bus trigger extension can
/// be restored, a <c>[ServiceBusTrigger]</c> function's <c>ServiceBusMessageActions</c> (docs/pipeline.md shows the
/// few lines that adapter takes).
/// </summary>
public interface IDispatchSettleActions
{
    /// <summary>The message is done: remove it from the queue.</summary>
    Task CompleteAsync(CancellationToken cancellationToken);

    /// <summary>Release the lock now: the message is delivered again at once, its <c>DeliveryCount</c> one higher.</summary>
    Task AbandonAsync(CancellationToken cancellationToken);

    /// <summary>Move the message to the queue's dead-letter subqueue with <paramref name="reason"/> and <paramref name="description"/>.</summary>
    Task DeadLetterAsync(string reason, string description, CancellationToken cancellationToken);
}

/// <summary>The settle actions of one message handed to a <see cref="ServiceBusProcessor"/> handler (PeekLock, no auto-complete).</summary>
public sealed class ProcessorSettleActions(ProcessMessageEventArgs args) : IDispatchSettleActions
{
    public Task CompleteAsync(CancellationToken cancellationToken) => args.CompleteMessageAsync(args.Message, cancellationToken);

    public Task AbandonAsync(CancellationToken cancellationToken) => args.AbandonMessageAsync(args.Message, cancellationToken: cancellationToken);

    public Task DeadLetterAsync(string reason, string description, CancellationToken cancellationToken) =>
        args.DeadLetterMessageAsync(args.Message, reason, description, cancellationToken);
}

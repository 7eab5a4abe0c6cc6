using System.Text.Json;
using AlertPipeline.Core.Pipeline;
using Azure.Storage.Queues;

namespace AlertPipeline.Infrastructure.Pipeline;

/// <summary>
/// The <c>sms-status</c> Storage queue (base64 JSON, as the queue trigger reads it), in both dispatch transports: the
/// status webhook puts each accepted callback on it (<see cref="EnqueueAsync"/>) and answers Twilio once the put succeeded;
/// <c>ApplySmsStatus</c> applies it and writes what it gives up on to <c>sms-status-poison</c> with the reason
/// (<see cref="PoisonAsync"/>). <paramref name="queueName"/> is for tests (a queue of their own on the shared Azurite);
/// the function's trigger always reads <see cref="QueueNames.SmsStatus"/>.
/// </summary>
public sealed class StatusCallbackQueue(QueueServiceClient queues, TimeProvider time, string queueName = QueueNames.SmsStatus)
{
    private readonly QueueClient _queue = queues.GetQueueClient(queueName);
    private QueuesCreatedOnce? _created;

    public string Name => _queue.Name;

    public string PoisonName => QueueNames.PoisonOf(_queue.Name);

    /// <summary>Puts <paramref name="message"/> on the queue (created once per process); returns once the Queue service has it.</summary>
    public async Task EnqueueAsync(StatusCallbackMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await (_created ??= new QueuesCreatedOnce(_queue)).EnsureAsync(cancellationToken).ConfigureAwait(false);
        await _queue.SendMessageAsync(JsonSerializer.Serialize(message, JsonSerializerOptions.Web), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes <paramref name="body"/> (the message as received) to <c>{queue}-poison</c> in a <see cref="StatusPoisonEntry"/>
    /// that records why (as the dispatch consumers do): the host's own poisoning would keep no reason.
    /// </summary>
    public Task PoisonAsync(string body, string? reference, string reason, string description, CancellationToken cancellationToken = default) =>
        PoisonEntries.WriteAsync(queues, PoisonName, new StatusPoisonEntry(reason, description, reference, time.GetUtcNow(), body), cancellationToken);
}

/// <summary>
/// A status message <c>ApplySmsStatus</c> gave up on, as written to <c>sms-status-poison</c>:
/// <c>{"deadLetterReason","deadLetterDescription","reference","poisonedAt","body"}</c> (<c>deadLetterReason</c> one of
/// <see cref="DeadLetterReasons"/>; <c>reference</c> the delivery key when the body named one; <c>body</c> the message as
/// received, which holds no phone number).
/// </summary>
public sealed record StatusPoisonEntry(string DeadLetterReason, string DeadLetterDescription, string? Reference, DateTimeOffset PoisonedAt, string Body);

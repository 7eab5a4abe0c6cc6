using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using Azure.Storage.Queues;
using NodaTime;

namespace AlertPipeline.Infrastructure.Pipeline;

/// <summary>
/// <see cref="IDispatchQueue"/> on Storage queues (<c>sms-dispatch</c> / <c>email-dispatch</c>, base64 JSON as the queue
/// trigger reads it): one message per batch, several in flight. A <see cref="DispatchBatch.NotBefore"/> ahead becomes the
/// message's initial visibility (at most <see cref="DispatchBatch.MaxScheduleAhead"/>, the Queue service's limit), so the
/// SendSms trigger first sees it when the quiet hours end. The consumer side is the SendSms / SendEmail functions, which
/// write what must not be retried to <c>{queue}-poison</c> with its reason (<see cref="PoisonAsync"/>).
/// </summary>
public sealed class StorageQueueDispatchQueue(QueueServiceClient queues, TimeProvider time) : IDispatchQueue
{
    /// <summary>Queue sends in flight at once per call (a fan-out chunk's batches).</summary>
    public const int MaxParallelSends = 16;

    private readonly QueueClient _sms = queues.GetQueueClient(QueueNames.SmsDispatch);
    private readonly QueueClient _email = queues.GetQueueClient(QueueNames.EmailDispatch);
    private QueuesCreatedOnce? _created;

    public async Task SendAsync(IReadOnlyList<DispatchBatch> batches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Count == 0)
        {
            return;
        }

        await (_created ??= new QueuesCreatedOnce(_sms, _email)).EnsureAsync(CancellationToken.None).ConfigureAwait(false);
        var now = time.GetUtcNow();
        await Parallel.ForEachAsync(
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelSends, CancellationToken = cancellationToken },
            async (batch, ct) =>
            {
                var body = JsonSerializer.Serialize(batch.ToMessage(), JsonSerializerOptions.Web);
                await QueueFor(batch.Channel).SendMessageAsync(body, VisibilityFor(batch.NotBefore, now), null, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes <paramref name="body"/> (the message as received) to <c>{queue}-poison</c> wrapped in a
    /// <see cref="DispatchPoisonEntry"/> that records why, as the host's poison queue would hold it plus the reason.
    /// </summary>
    public Task PoisonAsync(Channel channel, string body, string? dispatchId, string reason, string description, CancellationToken cancellationToken = default) =>
        PoisonEntries.WriteAsync(
            queues, QueueNames.PoisonOf(QueueNames.DispatchFor(channel)), new DispatchPoisonEntry(reason, description, dispatchId, time.GetUtcNow(), body), cancellationToken);

    /// <summary>The initial visibility for a batch due at <paramref name="notBefore"/>: none when due, at most 7 days.</summary>
    public static TimeSpan? VisibilityFor(Instant? notBefore, DateTimeOffset now)
    {
        if (notBefore is not { } due || due.ToDateTimeOffset() <= now)
        {
            return null;
        }

        var wait = due.ToDateTimeOffset() - now;
        var max = DispatchBatch.MaxScheduleAhead.ToTimeSpan();
        return wait > max ? max : wait;
    }

    private QueueClient QueueFor(Channel channel) => channel == Channel.Sms ? _sms : _email;
}

/// <summary>
/// A dispatch message the consumer refused for good, as written to <c>sms-dispatch-poison</c> / <c>email-dispatch-poison</c>:
/// <c>{"deadLetterReason","deadLetterDescription","dispatchId","poisonedAt","body"}</c> (<c>deadLetterReason</c> one of
/// <see cref="DeadLetterReasons"/>; <c>body</c> the message as it was received).
/// </summary>
public sealed record DispatchPoisonEntry(string DeadLetterReason, string DeadLetterDescription, string? DispatchId, DateTimeOffset PoisonedAt, string Body);

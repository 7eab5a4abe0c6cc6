using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Persistence;
using Azure.Storage.Queues;

namespace AlertPipeline.Infrastructure.Pipeline;

/// <summary>
/// Re-drives poisoned dispatch messages of one channel's Storage queue (<c>sms-dispatch-poison</c> /
/// <c>email-dispatch-poison</c>) onto that queue (<see cref="DispatchRedrive"/>), at most
/// <see cref="PipelineOptions.DispatchRedriveBudget"/> times per dispatch id, counted in <c>DispatchRedrives</c> (PK alert
/// id, RK <see cref="DispatchBatch.DispatchId"/>; <c>Channel</c>, <c>Bucket</c>, <c>Recipients</c> (a count),
/// <c>Redrives</c>, <c>GaveUp</c>, <c>UpdatedAt</c>: keys and counts only, no union: a batch is per bucket, not per union).
/// A poison message is either the consumer's <see cref="DispatchPoisonEntry"/> (re-driven when
/// <see cref="DispatchRedrive.IsRedrivable"/> says so: never <c>MalformedMessage</c>) or the bare message the host poisoned
/// after its last dequeue; what goes back is the message as it was received, so the batch runs the usual path (rows done
/// skipped, Sending rows reconciled before any resend). Service Bus dead-letters: <see cref="ServiceBus.ServiceBusDeadLetterRedriver"/>.
/// </summary>
/// <param name="dispatchQueue">The channel's dispatch queue; tests use their own.</param>
public sealed class DispatchBatchRedriver(
    QueueServiceClient queues, PipelineTables tables, PipelineOptions options, TimeProvider time, Channel channel,
    string? dispatchQueue = null, TimeSpan? lookAgainAfter = null)
    : PoisonQueueRedriver(queues, tables, time, PipelineTables.DispatchRedrives, dispatchQueue ?? QueueNames.DispatchFor(channel), options.DispatchRedriveBudget, lookAgainAfter)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Channel Channel => channel;

    protected override PoisonedItem? Read(string text)
    {
        try
        {
            var body = text;
            using (var document = JsonDocument.Parse(text))
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("deadLetterReason", out _))
                {
                    var entry = document.RootElement.Deserialize<DispatchPoisonEntry>(Json); // the document already parsed, not the text again
                    if (entry is null || !DispatchRedrive.IsRedrivable(entry.DeadLetterReason) || string.IsNullOrEmpty(entry.Body))
                    {
                        return null;
                    }

                    body = entry.Body;
                }
            }

            if (JsonSerializer.Deserialize<DispatchBatchMessage>(body, Json) is not { } message
                || !message.TryParse(out var batch, out _)
                || batch.Channel != channel)
            {
                return null; // not a dispatch message of this queue: bad input stays poisoned
            }

            return new PoisonedItem(batch.AlertId.Value, batch.DispatchId, body, new Dictionary<string, object>
            {
                ["Channel"] = batch.Channel.ToWireName(),
                ["Bucket"] = batch.Bucket,
                ["Recipients"] = batch.Recipients.Count,
            });
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Both channels' <see cref="DispatchBatchRedriver"/>s, and on the Service Bus transport the
/// <see cref="ServiceBus.ServiceBusDeadLetterRedriver"/> of the dispatch queues' dead-letter sub-queues (counted in the same
/// table): what the ScheduleTick runs and the report reads.
/// </summary>
public sealed class DispatchRedrivers(IReadOnlyList<DispatchBatchRedriver> redrivers, ServiceBus.ServiceBusDeadLetterRedriver? deadLetters = null)
{
    public IReadOnlyList<DispatchBatchRedriver> All => redrivers;

    /// <summary>The Service Bus transport's dead-letter re-drive; null on the Storage-queue transport.</summary>
    public ServiceBus.ServiceBusDeadLetterRedriver? DeadLetters => deadLetters;

    /// <summary>One pass over every channel's poison queue, added up.</summary>
    public async Task<PoisonRedriveResult> RedriveAsync(CancellationToken cancellationToken)
    {
        int redriven = 0, givenUp = 0, kept = 0;
        foreach (var redriver in redrivers)
        {
            var result = await redriver.RedriveAsync(cancellationToken).ConfigureAwait(false);
            (redriven, givenUp, kept) = (redriven + result.Redriven, givenUp + result.GivenUp, kept + result.Kept);
        }

        if (deadLetters is not null)
        {
            var result = await deadLetters.RedriveAsync(cancellationToken).ConfigureAwait(false);
            (redriven, givenUp, kept) = (redriven + result.Redriven, givenUp + result.GivenUp, kept + result.Kept);
        }

        return new PoisonRedriveResult(redriven, givenUp, kept);
    }

    /// <summary>The alert's poisoned dispatch batches (one table for both channels, so one read).</summary>
    public Task<PoisonRedriveProgress> GetProgressAsync(Core.Alerts.AlertId alertId, UnionId unionId, CancellationToken cancellationToken) =>
        redrivers.Count == 0 ? Task.FromResult(new PoisonRedriveProgress(0, 0)) : redrivers[0].GetProgressAsync(alertId, unionId, cancellationToken);

    /// <summary>Gives the alert's given-up dispatch batches a fresh budget (one table for both channels).</summary>
    public Task<int> ResetAsync(Core.Alerts.AlertId alertId, UnionId unionId, CancellationToken cancellationToken) =>
        redrivers.Count == 0 ? Task.FromResult(0) : redrivers[0].ResetAsync(alertId, unionId, cancellationToken);
}

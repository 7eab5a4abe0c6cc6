using System.Diagnostics;
using System.Globalization;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Pipeline;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// <c>sms-dispatch</c> (Storage queue transport) → <see cref="DispatchBatchHandler"/>, through <see cref="StorageDispatchConsumer"/>.
/// The Service Bus transport calls the same handler from its processor.
/// </summary>
public sealed class SendSmsFunction(StorageDispatchConsumer consumer)
{
    public const string Name = "SendSms";

    [Function(Name)]
    public Task RunAsync([QueueTrigger(QueueNames.SmsDispatch)] string message, FunctionContext context, CancellationToken cancellationToken) =>
        consumer.RunAsync(Name, Channel.Sms, message, StorageDispatchConsumer.DequeueCount(context), cancellationToken);
}

/// <summary><c>email-dispatch</c> → <see cref="DispatchBatchHandler"/> (see <see cref="SendSmsFunction"/>).</summary>
public sealed class SendEmailFunction(StorageDispatchConsumer consumer)
{
    public const string Name = "SendEmail";

    [Function(Name)]
    public Task RunAsync([QueueTrigger(QueueNames.EmailDispatch)] string message, FunctionContext context, CancellationToken cancellationToken) =>
        consumer.RunAsync(Name, Channel.Email, message, StorageDispatchConsumer.DequeueCount(context), cancellationToken);
}

/// <summary>
/// The Storage-queue consumer of dispatch messages: parse (malformed → <c>{queue}-poison</c> with
/// <see cref="DeadLetterReasons.MalformedMessage"/>, naming the field), run <see cref="DispatchBatchHandler"/> with the
/// dequeue count, log every row, then settle: Complete → return (the host deletes the message); RetryLater → throw, so the
/// host makes it visible again after host.json's <c>visibilityTimeout</c> — or, at the last dequeue
/// (<see cref="DispatchOptions.StorageMaxDequeueCount"/>), poison it with <see cref="DeadLetterReasons.TooManyDeliveries"/>
/// before the host would poison it without a reason; DeadLetter → poison with its reason and return.
/// </summary>
public sealed class StorageDispatchConsumer(DispatchBatchHandler handler, StorageQueueDispatchQueue queues, PipelineOptions options, ILogger<StorageDispatchConsumer> logger)
{
    public async Task RunAsync(string function, Channel channel, string message, int dequeueCount, CancellationToken cancellationToken)
    {
        var queue = QueueNames.DispatchFor(channel);
        string? error;
        DispatchBatch? batch = null;
        DispatchBatchMessage? body = null;
        try
        {
            body = QueueMessages.Read<DispatchBatchMessage>(message, queue);
            _ = body.TryParse(out batch, out error);
        }
        catch (PipelineMessageException ex)
        {
            error = ex.Message;
        }

        // One span per dispatch message, continuing the fan-out that wrote it; the claims store its context on the rows.
        using var activity = PipelineTelemetry.StartConsumer(channel == Channel.Sms ? PipelineTelemetry.Spans.SendSms : PipelineTelemetry.Spans.SendEmail, body?.TraceParent, queue);
        activity?.SetTag(PipelineTelemetry.Tags.Channel, channel.ToWireName());
        if (batch is not null && batch.Channel != channel)
        {
            error = $"dispatch message: channel must be '{channel.ToWireName()}' on {queue}";
        }

        if (error is not null || batch is null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, DeadLetterReasons.MalformedMessage);
            await PoisonAsync(function, channel, message, null, DeadLetterReasons.MalformedMessage, error ?? "dispatch message: unreadable", cancellationToken).ConfigureAwait(false);
            return;
        }

        activity?.SetTag(PipelineTelemetry.Tags.AlertId, batch.AlertId.Value);
        activity?.SetTag(PipelineTelemetry.Tags.DispatchId, batch.DispatchId);
        activity?.SetTag(PipelineTelemetry.Tags.Count, batch.Recipients.Count);
        var started = Stopwatch.GetTimestamp();
        var result = await handler.HandleAsync(batch, Math.Max(dequeueCount, 1), cancellationToken).ConfigureAwait(false);
        foreach (var row in result.Rows)
        {
            PipelineLog.SendDone(
                logger, channel.ToWireName(), row.Key.Value, row.Outcome, row.Status, row.SkipReason, row.FailureReason, row.ErrorCode, row.ProviderId, row.Attempt);
        }

        PipelineLog.DispatchDone(
            logger, function, batch.DispatchId, dequeueCount, result.Rows.Count, result.Rows.Count(r => r.Outcome == SendOutcome.Sent), result.Settlement.GetType().Name);
        PipelineTelemetry.RecordDispatch(channel, result, Stopwatch.GetElapsedTime(started));
        switch (result.Settlement)
        {
            case DispatchSettlement.RetryLater retry when dequeueCount >= options.Dispatch.StorageMaxDequeueCount:
                await PoisonAsync(
                    function, channel, message, batch.DispatchId, DeadLetterReasons.TooManyDeliveries,
                    $"Dispatch {batch.DispatchId} was dequeued {dequeueCount} times (the most host.json allows); {retry.Reason}. Those rows stay Pending or Sending.",
                    cancellationToken).ConfigureAwait(false);
                return;
            case DispatchSettlement.RetryLater retry:
                PipelineLog.Retrying(logger, function, retry.Reason);
                throw new PipelineRetryException($"Dispatch {batch.DispatchId}: {retry.Reason}");
            case DispatchSettlement.DeadLetter dead:
                await PoisonAsync(function, channel, message, batch.DispatchId, dead.Reason, dead.Description, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>The trigger's <c>DequeueCount</c> binding data (1 when absent).</summary>
    public static int DequeueCount(FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.BindingContext.BindingData.TryGetValue("DequeueCount", out var value)
               && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : 1;
    }

    private async Task PoisonAsync(string function, Channel channel, string message, string? dispatchId, string reason, string description, CancellationToken cancellationToken)
    {
        await queues.PoisonAsync(channel, message, dispatchId, reason, description, cancellationToken).ConfigureAwait(false);
        PipelineLog.DispatchPoisoned(logger, function, dispatchId, QueueNames.PoisonOf(QueueNames.DispatchFor(channel)), reason, description);
    }
}

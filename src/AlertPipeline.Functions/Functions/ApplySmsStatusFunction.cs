using AlertPipeline.Core.Common;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Pipeline;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// <c>sms-status</c> → <see cref="TwilioStatusCallbackHandler"/>, through <see cref="StatusCallbackConsumer"/>: applies a
/// status callback the webhook (<see cref="TwilioStatusFunction"/>) accepted. A Storage queue in both dispatch transports.
/// </summary>
public sealed class ApplySmsStatusFunction(StatusCallbackConsumer consumer)
{
    public const string Name = "ApplySmsStatus";

    [Function(Name)]
    public Task RunAsync([QueueTrigger(QueueNames.SmsStatus)] string message, FunctionContext context, CancellationToken cancellationToken) =>
        consumer.RunAsync(message, StorageDispatchConsumer.DequeueCount(context), cancellationToken);
}

/// <summary>
/// The consumer of <c>sms-status</c> messages: parse (malformed → <c>sms-status-poison</c> at once with
/// <see cref="DeadLetterReasons.MalformedMessage"/>, naming the field), apply with <see cref="TwilioStatusCallbackHandler"/>
/// (only forward: a duplicate or an out-of-order callback changes nothing, exactly as when the webhook applied it itself),
/// log the outcome. A failure (a table request, an ETag race the handler gave up on) throws, so the host makes the message
/// visible again after host.json's <c>visibilityTimeout</c>; at the last dequeue
/// (<see cref="DispatchOptions.StorageMaxDequeueCount"/>) it is written to <c>sms-status-poison</c> with
/// <see cref="DeadLetterReasons.TooManyDeliveries"/> and the last failure instead, before the host would poison it
/// without a reason. The row then keeps its last status (the delivery report shows it; Twilio's message list still has the
/// final one).
/// </summary>
public sealed class StatusCallbackConsumer(TwilioStatusCallbackHandler handler, StatusCallbackQueue queue, PipelineOptions options, ILogger<StatusCallbackConsumer> logger)
{
    public async Task RunAsync(string message, int dequeueCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        StatusCallbackMessage? body = null;
        StatusCallback? callback = null;
        string? error;
        try
        {
            body = QueueMessages.Read<StatusCallbackMessage>(message, QueueNames.SmsStatus);
            _ = body.TryParse(out callback, out error);
        }
        catch (PipelineMessageException ex)
        {
            error = ex.Message;
        }

        if (callback is null)
        {
            await PoisonAsync(message, null, DeadLetterReasons.MalformedMessage, error ?? "status message: unreadable", cancellationToken).ConfigureAwait(false);
            return;
        }

        CallbackResult result;
        try
        {
            result = await handler.HandleAsync(callback, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var failure = Describe(ex);
            if (dequeueCount >= options.Dispatch.StorageMaxDequeueCount)
            {
                await PoisonAsync(
                    message, callback.Reference, DeadLetterReasons.TooManyDeliveries,
                    $"Status {callback.MessageStatus} for {callback.Reference} was dequeued {dequeueCount} times (the most host.json allows); the last failure: {failure}. The row keeps its last status.",
                    cancellationToken).ConfigureAwait(false);
                return;
            }

            PipelineLog.Retrying(logger, ApplySmsStatusFunction.Name, $"status {callback.MessageStatus} for {callback.Reference}: {failure}");
            throw new PipelineRetryException($"Status {callback.MessageStatus} for {callback.Reference}: {failure}");
        }

        StatusCallbackLog.Record(logger, result.Outcome, result.Status, result.Key?.Value ?? callback.Reference, callback.MessageStatus, callback.ErrorCode, callback.MessageSid);
    }

    /// <summary>A failure as it may be logged and stored: its kind and status, never a message that could quote data.</summary>
    private static string Describe(Exception ex) => ex switch
    {
        PipelineRetryException retry => retry.Message,
        Azure.RequestFailedException failed => $"storage answered {failed.Status} ({failed.ErrorCode ?? "no error code"})",
        _ => ex.GetType().Name,
    };

    private async Task PoisonAsync(string message, string? reference, string reason, string description, CancellationToken cancellationToken)
    {
        await queue.PoisonAsync(message, reference, reason, description, cancellationToken).ConfigureAwait(false);
        PipelineLog.StatusPoisoned(logger, ApplySmsStatusFunction.Name, reference, queue.PoisonName, reason, description);
    }
}

/// <summary>
/// What became of one status callback, whichever side decided it (the webhook, which drops what names no SMS delivery or no
/// tracked status; the consumer, which applies the rest): the <see cref="PipelineTelemetry.StatusCallbacks"/> counter, by
/// outcome and resulting status, and its log line. The values must be safe to log (the webhook's are <c>LogSafe</c>d).
/// </summary>
internal static class StatusCallbackLog
{
    public static void Record(
        ILogger logger, CallbackOutcome outcome, Core.Deliveries.DeliveryStatus? status, string? reference, string? messageStatus, string? errorCode, string? messageSid)
    {
        PipelineTelemetry.StatusCallbacks.Add(
            1,
            new KeyValuePair<string, object?>(PipelineTelemetry.Tags.Outcome, outcome.ToString()),
            new KeyValuePair<string, object?>(PipelineTelemetry.Tags.Status, status?.ToString()));
        switch (outcome)
        {
            case CallbackOutcome.UnknownReference:
                PipelineLog.CallbackUnknown(logger, reference, messageStatus);
                break;
            case CallbackOutcome.ProviderMismatch:
                PipelineLog.CallbackProviderMismatch(logger, reference, messageSid ?? "(not a message id)", messageStatus, status);
                break;
            default:
                PipelineLog.CallbackApplied(logger, reference, messageStatus, errorCode, outcome, status);
                break;
        }
    }
}

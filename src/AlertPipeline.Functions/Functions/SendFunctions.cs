using System.Diagnostics;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// <c>sms-dispatch</c> → <see cref="SendSmsHandler"/>. A Storage queue here and locally; the Service Bus transport of
/// docs/pipeline.md will call the same <see cref="Dispatch.RunAsync"/> body.
/// </summary>
public sealed class SendSmsFunction(SendSmsHandler handler, ILogger<SendSmsFunction> logger)
{
    public const string Name = "SendSms";

    [Function(Name)]
    public Task RunAsync([QueueTrigger(QueueNames.SmsDispatch)] string message, CancellationToken cancellationToken) =>
        Dispatch.RunAsync(Name, Channel.Sms, message, handler.HandleAsync, logger, cancellationToken);
}

/// <summary><c>email-dispatch</c> → <see cref="SendEmailHandler"/> (see <see cref="SendSmsFunction"/>).</summary>
public sealed class SendEmailFunction(SendEmailHandler handler, ILogger<SendEmailFunction> logger)
{
    public const string Name = "SendEmail";

    [Function(Name)]
    public Task RunAsync([QueueTrigger(QueueNames.EmailDispatch)] string message, CancellationToken cancellationToken) =>
        Dispatch.RunAsync(Name, Channel.Email, message, handler.HandleAsync, logger, cancellationToken);
}

/// <summary>
/// The one body of the send functions, whatever the transport: decode the dispatch message, send, log the outcome. A throw
/// fails the delivery of the message (retried, then poisoned); the row itself guards against a second send.
/// </summary>
internal static class Dispatch
{
    public static async Task RunAsync(
        string function, Channel channel, string message, Func<DeliveryKey, CancellationToken, Task<SendResult>> send, ILogger logger, CancellationToken cancellationToken)
    {
        var queue = QueueNames.DispatchFor(channel);
        var body = QueueMessages.Read<DispatchMessage>(message, queue);
        using var activity = PipelineTelemetry.StartConsumer(channel == Channel.Sms ? PipelineTelemetry.Spans.SendSms : PipelineTelemetry.Spans.SendEmail, body.TraceParent, queue);
        activity?.SetTag(PipelineTelemetry.Tags.Channel, channel.ToWireName());
        if (!body.TryParse(out var key, out var error) || key.Channel != channel)
        {
            error ??= $"dispatch message: not a {channel.ToWireName()} delivery";
            activity?.SetStatus(ActivityStatusCode.Error, error);
            throw new PipelineMessageException(error);
        }

        activity?.SetTag(PipelineTelemetry.Tags.AlertId, key.AlertId.Value);
        activity?.SetTag(PipelineTelemetry.Tags.DeliveryKey, key.Value);
        var started = Stopwatch.GetTimestamp();
        SendResult result;
        try
        {
            result = await send(key, cancellationToken).ConfigureAwait(false);
        }
        catch (PipelineRetryException ex)
        {
            PipelineLog.Retrying(logger, function, ex.Message);
            activity?.SetStatus(ActivityStatusCode.Error, "retry");
            Record(channel, "Retry", started);
            throw;
        }

        PipelineLog.SendDone(
            logger, channel.ToWireName(), key.Value, result.Outcome, result.Status, result.SkipReason, result.FailureReason, result.ErrorCode, result.ProviderId, result.Attempt);
        activity?.SetTag(PipelineTelemetry.Tags.Outcome, result.Outcome.ToString());
        activity?.SetTag(PipelineTelemetry.Tags.Status, result.Status?.ToString());
        activity?.SetTag(PipelineTelemetry.Tags.ErrorCode, result.ErrorCode);
        Record(channel, result.Outcome.ToString(), started);
    }

    private static void Record(Channel channel, string outcome, long started)
    {
        var tags = new TagList
        {
            { PipelineTelemetry.Tags.Channel, channel.ToWireName() },
            { PipelineTelemetry.Tags.Outcome, outcome },
        };
        PipelineTelemetry.Sends.Add(1, tags);
        PipelineTelemetry.SendDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }
}

using AlertPipeline.Core.Alerts;
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
        if (!QueueMessages.Read<DispatchMessage>(message, queue).TryParse(out var key, out var error) || key.Channel != channel)
        {
            throw new PipelineMessageException(error ?? $"dispatch message: not a {channel.ToWireName()} delivery");
        }

        SendResult result;
        try
        {
            result = await send(key, cancellationToken).ConfigureAwait(false);
        }
        catch (PipelineRetryException ex)
        {
            PipelineLog.Retrying(logger, function, ex.Message);
            throw;
        }

        PipelineLog.SendDone(
            logger, channel.ToWireName(), key.Value, result.Outcome, result.Status, result.SkipReason, result.FailureReason, result.ErrorCode, result.ProviderId, result.Attempt);
    }
}

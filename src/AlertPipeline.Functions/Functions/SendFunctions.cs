using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.CustomHandler;
using AlertPipeline.CustomHandler.Configuration;
using AlertPipeline.Functions.Hosting;

namespace AlertPipeline.Functions.Functions;

/// <summary><c>sms-dispatch</c> (Service Bus) → <see cref="SendSmsHandler"/>.</summary>
public sealed class SendSmsFunction(SendSmsHandler handler, ILogger<SendSmsFunction> logger) : IFunction
{
    public const string Name = "SendSms";

    public static FunctionDefinition Definition { get; } = new(
        Name, [new ServiceBusTriggerBinding("dispatch", QueueNames.SmsDispatch, FanOutChunkFunction.ServiceBusConnection)]);

    public Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken) =>
        Dispatch.InvokeAsync(Name, Channel.Sms, request, handler.HandleAsync, logger, cancellationToken);
}

/// <summary><c>email-dispatch</c> (Service Bus) → <see cref="SendEmailHandler"/>.</summary>
public sealed class SendEmailFunction(SendEmailHandler handler, ILogger<SendEmailFunction> logger) : IFunction
{
    public const string Name = "SendEmail";

    public static FunctionDefinition Definition { get; } = new(
        Name, [new ServiceBusTriggerBinding("dispatch", QueueNames.EmailDispatch, FanOutChunkFunction.ServiceBusConnection)]);

    public Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken) =>
        Dispatch.InvokeAsync(Name, Channel.Email, request, handler.HandleAsync, logger, cancellationToken);
}

/// <summary>The shared body of the send functions: decode the dispatch message, send, log the outcome.</summary>
internal static class Dispatch
{
    public static async Task<InvocationResponse> InvokeAsync(
        string function, Channel channel, InvocationRequest request, Func<DeliveryKey, CancellationToken, Task<SendResult>> send, ILogger logger, CancellationToken cancellationToken)
    {
        if (!request.GetMessage<DispatchMessage>("dispatch").TryParse(out var key, out var error) || key.Channel != channel)
        {
            throw new InvocationFailedException(error ?? $"dispatch message: not a {channel.ToWireName()} delivery");
        }

        SendResult result;
        try
        {
            result = await send(key, cancellationToken).ConfigureAwait(false);
        }
        catch (PipelineRetryException ex)
        {
            PipelineLog.Retrying(logger, function, ex.Message);
            throw new InvocationFailedException(ex.Message);
        }

        PipelineLog.SendDone(
            logger, channel.ToWireName(), key.Value, result.Outcome, result.Status, result.SkipReason, result.FailureReason, result.ErrorCode, result.ProviderId, result.Attempt);
        return new InvocationResponseBuilder().Build();
    }
}

using AlertPipeline.Core.Pipeline;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Infrastructure.Twilio;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// <c>POST /api/twilio/status?ref={deliveryKey}</c>: Twilio's status callback. The signature is checked first (403 when
/// it does not match); then <see cref="TwilioStatusCallbackHandler"/> moves the row forward. Unknown references answer
/// 200 (Twilio must not retry them) and are logged.
/// </summary>
public sealed class TwilioStatusFunction(TwilioWebhookValidator validator, TwilioStatusCallbackHandler handler, ILoggerFactory loggers)
{
    public const string Name = "TwilioStatus";
    public const string Route = "twilio/status";

    public static HttpEndpoint Endpoint { get; } = new(Name, Route, ["POST"], HandleAsync);

    [Function(Name)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route)] HttpRequest request, CancellationToken cancellationToken) =>
        HandleAsync(request, validator, handler, loggers, cancellationToken);

    public static async Task<IResult> HandleAsync(
        HttpRequest request, TwilioWebhookValidator validator, TwilioStatusCallbackHandler handler, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(TwilioStatusFunction).FullName!);
        if (await validator.ReadSignedFormAsync(request, cancellationToken).ConfigureAwait(false) is not { } form)
        {
            PipelineLog.WebhookRefused(logger, request.Path);
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        var callback = new StatusCallback(request.Query["ref"].ToString(), form["MessageStatus"].ToString(), NullIfEmpty(form["ErrorCode"].ToString()), NullIfEmpty(form["MessageSid"].ToString()));
        try
        {
            var result = await handler.HandleAsync(callback, cancellationToken).ConfigureAwait(false);
            if (result.Outcome == CallbackOutcome.UnknownReference)
            {
                PipelineLog.CallbackUnknown(logger, Truncate(callback.Reference), callback.MessageStatus);
            }
            else
            {
                PipelineLog.CallbackApplied(logger, result.Key?.Value, callback.MessageStatus, callback.ErrorCode, result.Outcome, result.Status);
            }

            return Results.Ok();
        }
        catch (PipelineRetryException ex)
        {
            PipelineLog.Retrying(logger, Name, ex.Message);
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static string? Truncate(string? value) => value is { Length: > 80 } ? value[..80] : value;
}

/// <summary>
/// <c>POST /api/twilio/inbound</c>: an inbound SMS. The signature is checked first (403); then
/// <see cref="InboundSmsHandler"/> records STOP/START and answers HELP. The reply is TwiML (<c>text/xml</c>).
/// The sender's number is only ever logged masked.
/// </summary>
public sealed class TwilioInboundFunction(TwilioWebhookValidator validator, InboundSmsHandler handler, ILoggerFactory loggers)
{
    public const string Name = "TwilioInbound";
    public const string Route = "twilio/inbound";

    public static HttpEndpoint Endpoint { get; } = new(Name, Route, ["POST"], HandleAsync);

    [Function(Name)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route)] HttpRequest request, CancellationToken cancellationToken) =>
        HandleAsync(request, validator, handler, loggers, cancellationToken);

    public static async Task<IResult> HandleAsync(
        HttpRequest request, TwilioWebhookValidator validator, InboundSmsHandler handler, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(TwilioInboundFunction).FullName!);
        if (await validator.ReadSignedFormAsync(request, cancellationToken).ConfigureAwait(false) is not { } form)
        {
            PipelineLog.WebhookRefused(logger, request.Path);
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        var result = await handler.HandleAsync(form["From"].ToString(), form["Body"].ToString(), cancellationToken).ConfigureAwait(false);
        PipelineLog.InboundHandled(logger, result.MaskedFrom, result.Keyword, result.Reply is not null, result.Problem is null ? null : $" ({result.Problem})");
        return Results.Text(Twiml.Reply(result.Reply), Twiml.ContentType, System.Text.Encoding.UTF8);
    }
}

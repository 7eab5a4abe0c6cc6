using AlertPipeline.Core.Common;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Infrastructure.Twilio;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// <c>POST /api/twilio/status?ref={deliveryKey}</c>: Twilio's status callback. The signature is checked
/// first (403 when it does not match; 413/400 for a body or form over <see cref="TwilioWebhookValidator"/>'s bounds);
/// then <see cref="TwilioStatusCallbackHandler"/> moves the row forward. Unknown references, and callbacks whose
/// MessageSid is not the row's provider id, answer 200 (Twilio must not retry them), change nothing and are logged.
/// The row's read and its conditional write (two table requests; never held back by <see cref="Infrastructure.Storage.TableTrafficGate"/>)
/// are cancelled only when the worker stops, not when Twilio stops waiting (its read timeout is 15 s): a status that
/// reached us is stored even if the answer came too late, and Twilio's retry of it then changes nothing. The answer is
/// 200 only after the row is stored.
/// </summary>
public sealed class TwilioStatusFunction(TwilioWebhookValidator validator, TwilioStatusCallbackHandler handler, ILoggerFactory loggers, IHostApplicationLifetime lifetime)
{
    public const string Name = "TwilioStatus";
    public const string Route = "twilio/status";

    public static HttpEndpoint Endpoint { get; } = new(Name, Route, ["POST"], HandleAsync);

    [Function(Name)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route)] HttpRequest request, CancellationToken cancellationToken) =>
        HandleAsync(request, validator, handler, loggers, lifetime, cancellationToken);

    /// <param name="cancellationToken">The request's: it bounds reading the form, not storing the status.</param>
    public static async Task<IResult> HandleAsync(
        HttpRequest request, TwilioWebhookValidator validator, TwilioStatusCallbackHandler handler, ILoggerFactory loggers, IHostApplicationLifetime lifetime,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(TwilioStatusFunction).FullName!);
        var read = await validator.ReadSignedFormAsync(request, cancellationToken).ConfigureAwait(false);
        if (read.Form is not { } form)
        {
            PipelineLog.WebhookRefused(logger, request.Path, read.RefusalStatus, read.RefusalReason);
            return TwilioRefusal.Answer(read.RefusalStatus);
        }

        var callback = new StatusCallback(request.Query["ref"].ToString(), form["MessageStatus"].ToString(), NullIfEmpty(form["ErrorCode"].ToString()), NullIfEmpty(form["MessageSid"].ToString()));
        try
        {
            var result = await handler.HandleAsync(callback, lifetime.ApplicationStopping).ConfigureAwait(false);
            PipelineTelemetry.StatusCallbacks.Add(
                1,
                new KeyValuePair<string, object?>(PipelineTelemetry.Tags.Outcome, result.Outcome.ToString()),
                new KeyValuePair<string, object?>(PipelineTelemetry.Tags.Status, result.Status?.ToString()));
            if (result.Outcome == CallbackOutcome.UnknownReference)
            {
                PipelineLog.CallbackUnknown(logger, LogSafe(callback.Reference), LogSafe(callback.MessageStatus));
            }
            else if (result.Outcome == CallbackOutcome.ProviderMismatch)
            {
                PipelineLog.CallbackProviderMismatch(logger, result.Key?.Value, InboundSmsHandler.IsMessageSid(callback.MessageSid) ? callback.MessageSid : "(not a message id)", LogSafe(callback.MessageStatus), result.Status);
            }
            else
            {
                PipelineLog.CallbackApplied(logger, result.Key?.Value, LogSafe(callback.MessageStatus), LogSafe(callback.ErrorCode), result.Outcome, result.Status);
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

    /// <summary>
    /// A signed but unchecked value (an unknown reference or status) as it may be logged: at most 80 characters, control
    /// characters as <c>?</c> (no forged log lines), numbers and addresses masked (a reference is not personal data, so one
    /// that looks like it is never logged in full).
    /// </summary>
    internal static string? LogSafe(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var text = value.Length > 80 ? value[..80] : value;
        return Redact.PersonalDataIn(string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        }));
    }
}

/// <summary>
/// <c>POST /api/twilio/inbound</c>: an inbound SMS. The bounds and the signature are checked first
/// (413/400/403); then <see cref="InboundSmsHandler"/> records STOP/START (once per MessageSid) and answers HELP. The reply is TwiML (<c>text/xml</c>).
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
        var read = await validator.ReadSignedFormAsync(request, cancellationToken).ConfigureAwait(false);
        if (read.Form is not { } form)
        {
            PipelineLog.WebhookRefused(logger, request.Path, read.RefusalStatus, read.RefusalReason);
            return TwilioRefusal.Answer(read.RefusalStatus);
        }

        var result = await handler.HandleAsync(form["MessageSid"].ToString(), form["From"].ToString(), form["Body"].ToString(), cancellationToken).ConfigureAwait(false);
        PipelineLog.InboundHandled(logger, result.MaskedFrom, result.Keyword, result.Reply is not null, result.Problem is null ? null : $" ({result.Problem})");
        return Results.Text(Twiml.Reply(result.Reply), Twiml.ContentType, System.Text.Encoding.UTF8);
    }
}

/// <summary>
/// What a refused webhook answers: a bare status (a refused signature says nothing about why), except 413, whose problem
/// body names the webhooks' body limit (docs/api.md "Limits").
/// </summary>
internal static class TwilioRefusal
{
    public const string LimitName = "Twilio webhooks";

    public static IResult Answer(int status) => status == StatusCodes.Status413PayloadTooLarge
        ? Api.ApiProblems.TooLarge(TwilioWebhookValidator.MaxBodyBytes, LimitName)
        : Results.StatusCode(status);
}

using AlertPipeline.Core.Common;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Infrastructure.Twilio;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// <c>POST /api/twilio/status?ref={deliveryKey}</c>: Twilio's status callback, accepted here and applied later by
/// <see cref="ApplySmsStatusFunction"/>. Everything that needs no storage happens first: the bounds and the signature
/// (413/400/403, <see cref="TwilioWebhookValidator"/>), then the fields (<see cref="StatusCallbackMessage.TryAccept"/>): a
/// reference that is not an SMS delivery key, or a status we do not track, answers 200 and queues nothing (Twilio must not
/// retry it; it is logged). Otherwise one message (the delivery key, status, error code and MessageSid; no phone number)
/// goes on <c>sms-status</c>, and the answer is 200 as soon as the Queue service has it: the table work no longer holds the
/// answer back. A put that fails or takes longer than <see cref="PutTimeout"/> answers 503 with <c>Retry-After</c>, so
/// Twilio sends the callback again (a put that succeeded after all only queues it twice, which changes nothing). The put is
/// cancelled only when the worker stops or the timeout passes, not when Twilio hangs up.
/// </summary>
public sealed class TwilioStatusFunction(TwilioWebhookValidator validator, StatusCallbackQueue queue, TimeProvider time, ILoggerFactory loggers, IHostApplicationLifetime lifetime)
{
    public const string Name = "TwilioStatus";
    public const string Route = "twilio/status";

    /// <summary>The longest the webhook waits for the queue put (Twilio waits 15 s for the answer).</summary>
    public static readonly TimeSpan PutTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The <c>Retry-After</c> of a 503 (the queue put failed).</summary>
    public const int RetryAfterSeconds = 5;

    public static HttpEndpoint Endpoint { get; } = new(Name, Route, ["POST"], HandleAsync);

    [Function(Name)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route)] HttpRequest request, CancellationToken cancellationToken) =>
        HandleAsync(request, validator, queue, time, loggers, lifetime, cancellationToken);

    /// <param name="cancellationToken">The request's: it bounds reading the form, not the queue put.</param>
    public static async Task<IResult> HandleAsync(
        HttpRequest request, TwilioWebhookValidator validator, StatusCallbackQueue queue, TimeProvider time, ILoggerFactory loggers, IHostApplicationLifetime lifetime,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(lifetime);
        var logger = loggers.CreateLogger(typeof(TwilioStatusFunction).FullName!);
        var read = await validator.ReadSignedFormAsync(request, cancellationToken).ConfigureAwait(false);
        if (read.Form is not { } form)
        {
            PipelineLog.WebhookRefused(logger, request.Path, read.RefusalStatus, read.RefusalReason);
            return TwilioRefusal.Answer(read.RefusalStatus);
        }

        var callback = new StatusCallback(request.Query["ref"].ToString(), form["MessageStatus"].ToString(), NullIfEmpty(form["ErrorCode"].ToString()), NullIfEmpty(form["MessageSid"].ToString()));
        if (StatusCallbackMessage.TryAccept(callback, time.GetUtcNow(), out var ignored) is not { } message)
        {
            // Never ProviderMismatch here (that needs the row), so no MessageSid is logged.
            StatusCallbackLog.Record(logger, ignored, null, LogSafe(callback.Reference), LogSafe(callback.MessageStatus), LogSafe(callback.ErrorCode), null);
            return Results.Ok();
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        bounded.CancelAfter(PutTimeout);
        try
        {
            await queue.EnqueueAsync(message, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || bounded.IsCancellationRequested)
        {
            // Whatever kept the put from succeeding (the Queue service's answer, no answer in time, the worker stopping, a
            // credential), Twilio should send the callback again: nothing was accepted.
            var failure = ex switch
            {
                Azure.RequestFailedException failed => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"status {failed.Status}, {failed.ErrorCode ?? "no error code"}"),
                OperationCanceledException when lifetime.ApplicationStopping.IsCancellationRequested => "the worker is stopping",
                OperationCanceledException => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"no answer within {PutTimeout.TotalSeconds:0} s"),
                _ => ex.GetType().Name,
            };
            PipelineLog.CallbackNotQueued(logger, message.Reference, message.MessageStatus, queue.Name, failure);
            request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        PipelineLog.CallbackQueued(logger, message.Reference, message.MessageStatus, message.ErrorCode, queue.Name);
        return Results.Ok();
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

using System.Diagnostics;
using System.Text.Json;
using AlertPipeline.CustomHandler;

namespace AlertPipeline.Functions.Hosting;

/// <summary>
/// Serves <c>POST /{Name}</c> for one <see cref="IFunction"/>: reads the invocation request, invokes the function and
/// answers 200 with the <see cref="InvocationResponse"/> as application/json; a failure answers 500 with an
/// <see cref="InvocationError"/> body (the host then retries), an unreadable request 400. Logs never include message bodies.
/// </summary>
internal static class FunctionInvoker
{
    public static async Task InvokeAsync(HttpContext context, FunctionRegistration registration)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("AlertPipeline.Functions." + registration.Name);
        var invocationId = context.Request.Headers[CustomHandlerJson.InvocationIdHeader].FirstOrDefault();
        var cancellationToken = context.RequestAborted;
        var watch = Stopwatch.StartNew();

        InvocationRequest request;
        try
        {
            request = await InvocationRequest.ParseAsync(context.Request.Body, cancellationToken).ConfigureAwait(false)
                with { FunctionName = registration.Name, InvocationId = invocationId };
        }
        catch (InvocationPayloadException ex)
        {
            FunctionLog.RequestRejected(logger, registration.Name, invocationId, ex.Message);
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, registration.Name, invocationId, ex.Message).ConfigureAwait(false);
            return;
        }

        try
        {
            var function = (IFunction)context.RequestServices.GetRequiredService(registration.FunctionType!);
            var response = await function.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = CustomHandlerJson.MediaType + "; charset=utf-8";
            await JsonSerializer.SerializeAsync(context.Response.Body, response, CustomHandlerJson.EnvelopeOptions, cancellationToken).ConfigureAwait(false);
            FunctionLog.InvocationSucceeded(logger, registration.Name, invocationId, watch.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            FunctionLog.InvocationCancelled(logger, registration.Name, invocationId);
        }
        catch (Exception ex) when (ex is InvocationFailedException or InvocationPayloadException)
        {
            // Our own exceptions carry reasons that name bindings and keys, never content.
            FunctionLog.InvocationFailed(logger, registration.Name, invocationId, watch.ElapsedMilliseconds, ex.Message);
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, registration.Name, invocationId, ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Any other exception's message may quote data (a phone number, an email): log its type and stack only.
            var type = ex.GetType().FullName ?? ex.GetType().Name;
            FunctionLog.InvocationThrew(logger, registration.Name, invocationId, type, watch.ElapsedMilliseconds, ex.StackTrace);
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, registration.Name, invocationId, $"Unhandled {type}").ConfigureAwait(false);
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string function, string? invocationId, string error)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = CustomHandlerJson.MediaType + "; charset=utf-8";
        var body = new InvocationError { Function = function, InvocationId = invocationId, Error = error };
        await JsonSerializer.SerializeAsync(context.Response.Body, body, CustomHandlerJson.EnvelopeOptions).ConfigureAwait(false);
    }
}

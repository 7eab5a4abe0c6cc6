using System.Globalization;
using System.Text.Json;
using AlertPipeline.CustomHandler;

namespace AlertPipeline.TestHandler;

/// <summary>
/// A deliberately small, independent custom-handler host (it does not share the Functions app's hosting layer, so the
/// local host's tests exercise the protocol, not our app's conventions): POST /{name} → function → JSON response, 500 with an
/// <see cref="InvocationError"/> body on failure.
/// </summary>
internal static class TestEndpoints
{
    public static void MapInvoked(
        this WebApplication app, string name, Func<InvocationRequest, CancellationToken, Task<InvocationResponse>> function)
    {
        app.MapPost("/" + name, async context =>
        {
            var invocationId = context.Request.Headers[CustomHandlerJson.InvocationIdHeader].FirstOrDefault();
            InvocationResponse response;
            try
            {
                var request = await InvocationRequest.ParseAsync(context.Request.Body, context.RequestAborted)
                    with { FunctionName = name, InvocationId = invocationId };
                response = await function(request, context.RequestAborted);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                app.Logger.LogWarning("Test function {FunctionName} ({InvocationId}) failed: {Reason}", name, invocationId, ex.Message);
                await WriteAsync(context, StatusCodes.Status500InternalServerError, new InvocationError { Function = name, InvocationId = invocationId, Error = ex.Message });
                return;
            }

            await WriteAsync(context, StatusCodes.Status200OK, response);
        });
    }

    public static WebApplicationBuilder UseCustomHandlerPort(this WebApplicationBuilder builder)
    {
        var port = builder.Configuration["FUNCTIONS_CUSTOMHANDLER_PORT"];
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]) && !string.IsNullOrEmpty(port))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:" + int.Parse(port, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
        }

        return builder;
    }

    private static async Task WriteAsync<T>(HttpContext context, int status, T body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = CustomHandlerJson.MediaType;
        await JsonSerializer.SerializeAsync(context.Response.Body, body, CustomHandlerJson.EnvelopeOptions, context.RequestAborted);
    }
}

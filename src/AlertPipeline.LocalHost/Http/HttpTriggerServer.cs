using System.Diagnostics;
using System.Net;
using System.Text.Json;
using AlertPipeline.LocalHost.Queues;
using AlertPipeline.LocalHost.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.LocalHost.Http;

/// <summary>
/// Kestrel on 127.0.0.1 serving the app's HTTP-triggered functions at <c>/{routePrefix}/{route}</c>, and the admin API's
/// <c>POST /admin/functions/{name}</c> (<see cref="AdminInvoker"/>).
/// </summary>
internal sealed class HttpTriggerServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IFunctionTransport _transport;
    private readonly OutputWriter _outputs;
    private readonly ILogger _logger;

    private HttpTriggerServer(WebApplication app, IFunctionTransport transport, OutputWriter outputs, ILogger logger)
    {
        _app = app;
        _transport = transport;
        _outputs = outputs;
        _logger = logger;
    }

    /// <summary>The address it listens on (<c>http://127.0.0.1:{port}</c>).</summary>
    public Uri Address { get; private set; } = null!;

    public static async Task<HttpTriggerServer> StartAsync(
        int port,
        string contentRoot,
        IReadOnlyList<HttpFunction> functions,
        AdminInvoker admin,
        IFunctionTransport transport,
        OutputWriter outputs,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = contentRoot, Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 100 * 1024 * 1024; // the Functions host's limit
        });
        var app = builder.Build();
        var server = new HttpTriggerServer(app, transport, outputs, logger);
        foreach (var function in functions)
        {
            var methods = function.Trigger.Methods.Select(m => m.ToUpperInvariant()).ToArray();
            RequestDelegate handler = context => server.HandleAsync(function, context);
            if (methods.Length == 0)
            {
                app.Map(function.Path, handler);
            }
            else
            {
                app.MapMethods(function.Path, methods, handler);
            }

            LocalHostLog.HttpRoute(logger, function.Name, methods.Length == 0 ? "ANY" : string.Join(',', methods), function.Path);
        }

        app.MapPost("/admin/functions/{name}", context => InvokeAdminAsync(admin, context));

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new LocalHostConfigurationException($"Could not listen for HTTP functions on 127.0.0.1:{port}: {ex.Message} (pass another --port).", ex);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                      ?? $"http://127.0.0.1:{port}";
        server.Address = new Uri(address);
        LocalHostLog.HttpListening(logger, server.Address.ToString());
        return server;
    }

    /// <summary>Stops accepting requests and lets those in progress finish (bounded by <paramref name="cancellationToken"/>).</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    /// <summary>
    /// <c>POST /admin/functions/{name}</c>: the body must be a JSON object (<c>{"input": "…"}</c>; Azure wants at least
    /// <c>{}</c>), else 400. Then 202 and the function runs in the background (404 unknown, 400 not a timer function).
    /// </summary>
    private static async Task InvokeAdminAsync(AdminInvoker admin, HttpContext context)
    {
        var name = context.GetRouteValue("name") as string ?? string.Empty;
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            body = default;
        }

        var (status, problem) = body.ValueKind == JsonValueKind.Object
            ? admin.Start(name)
            : (StatusCodes.Status400BadRequest, "The body must be a JSON object such as {\"input\": \"\"} (or {}).");
        context.Response.StatusCode = status;
        if (problem is not null)
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(problem, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(HttpFunction function, HttpContext context)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await _transport.WaitUntilReadyAsync(context.RequestAborted).ConfigureAwait(false);
            await _transport.HandleHttpAsync(
                function,
                context,
                outputs => _outputs.WriteAsync(function.Name, function.QueueOutputs, outputs, context.RequestAborted)).ConfigureAwait(false);
            LocalHostLog.HttpHandled(_logger, function.Name, context.Request.Method, context.Request.Path, context.Response.StatusCode, watch.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away.
        }
        catch (HttpRequestException ex)
        {
            LocalHostLog.HttpFailed(_logger, function.Name, context.Request.Method, context.Request.Path, $"the app could not be reached ({ex.HttpRequestError})");
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status502BadGateway;
            }
        }
    }
}

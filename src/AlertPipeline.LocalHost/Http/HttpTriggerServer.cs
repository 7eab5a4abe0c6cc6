using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using AlertPipeline.CustomHandler;
using AlertPipeline.LocalHost.Handler;
using AlertPipeline.LocalHost.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace AlertPipeline.LocalHost.Http;

/// <summary>
/// Kestrel on 127.0.0.1 serving the app's HTTP-triggered functions at <c>/{routePrefix}/{route}</c>, and the admin API's
/// <c>POST /admin/functions/{name}</c> (<see cref="AdminInvoker"/>).
/// </summary>
internal sealed class HttpTriggerServer : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Host",
    };

    private readonly WebApplication _app;
    private readonly HandlerClient _client;
    private readonly OutputWriter _outputs;
    private readonly ILogger _logger;

    private HttpTriggerServer(WebApplication app, HandlerClient client, OutputWriter outputs, ILogger logger)
    {
        _app = app;
        _client = client;
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
        HandlerClient client,
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
        var server = new HttpTriggerServer(app, client, outputs, logger);
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
            await _client.Process.WaitUntilReadyAsync(context.RequestAborted).ConfigureAwait(false);
            if (function.Forward)
            {
                await ForwardAsync(context).ConfigureAwait(false);
            }
            else
            {
                await InvokeWrappedAsync(function, context).ConfigureAwait(false);
            }

            LocalHostLog.HttpHandled(_logger, function.Name, context.Request.Method, context.Request.Path, context.Response.StatusCode, watch.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away.
        }
        catch (HttpRequestException ex)
        {
            LocalHostLog.HttpFailed(_logger, function.Name, context.Request.Method, context.Request.Path, $"the handler could not be reached ({ex.HttpRequestError})");
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status502BadGateway;
            }
        }
    }

    /// <summary>The original request to the handler on the same path and query; its response back as is.</summary>
    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        var target = new Uri(_client.Process.BaseAddress, request.PathBase.Add(request.Path).ToUriComponent() + request.QueryString.ToUriComponent());
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), target);
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            message.Content = new StreamContent(request.Body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (HopByHopHeaders.Contains(name))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        message.Headers.TryAddWithoutValidation(CustomHandlerJson.InvocationIdHeader, Guid.NewGuid().ToString());
        using var response = await _client.Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHopHeaders.Contains(name))
            {
                context.Response.Headers[name] = new StringValues(values.ToArray());
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Without forwarding: <c>Data.req</c> = {Url, Method, Query, Headers, Params, Body}; the response from <c>Outputs.res</c>.</summary>
    private async Task InvokeWrappedAsync(HttpFunction function, HttpContext context)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }

        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? string.Empty).ToArray(), StringComparer.OrdinalIgnoreCase);
        var routeValues = context.GetRouteData().Values.ToDictionary(v => v.Key, v => v.Value?.ToString());
        var req = new Dictionary<string, object?>
        {
            ["Url"] = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}",
            ["Method"] = request.Method,
            ["Query"] = query,
            ["Headers"] = headers,
            ["Params"] = routeValues,
            ["Identities"] = Array.Empty<object>(),
            ["Body"] = body,
        };
        var invocation = new InvocationRequest
        {
            Data = new Dictionary<string, JsonElement> { [function.Trigger.Name] = JsonSerializer.SerializeToElement(req) },
            Metadata = new Dictionary<string, JsonElement>
            {
                ["Query"] = JsonSerializer.SerializeToElement(query),
                ["Headers"] = JsonSerializer.SerializeToElement(headers),
                ["sys"] = JsonSerializer.SerializeToElement(new Dictionary<string, string>
                {
                    ["MethodName"] = function.Name,
                    ["UtcNow"] = DateTimeOffset.UtcNow.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["RandGuid"] = Guid.NewGuid().ToString(),
                }),
            },
        };

        var outcome = await _client.InvokeAsync(function.Name, invocation, context.RequestAborted).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            LocalHostLog.HttpFailed(_logger, function.Name, request.Method, request.Path, outcome.FailureReason ?? "failed");
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        await _outputs.WriteAsync(function.Name, function.QueueOutputs, outcome.Response!, context.RequestAborted).ConfigureAwait(false);
        await WriteWrappedResponseAsync(function, outcome.Response!, context).ConfigureAwait(false);
    }

    private static async Task WriteWrappedResponseAsync(HttpFunction function, InvocationResponse response, HttpContext context)
    {
        JsonElement? res = function.HttpOutputName switch
        {
            null => null,
            "$return" => response.ReturnValue,
            var name => response.Outputs.TryGetValue(name, out var value) ? value : null,
        };
        if (res is { ValueKind: JsonValueKind.String } text && text.GetString() is { } json && json.TrimStart().StartsWith('{'))
        {
            res = JsonSerializer.Deserialize<JsonElement>(json);
        }

        if (res is not { ValueKind: JsonValueKind.Object } output)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        var status = StatusCodes.Status200OK;
        JsonElement? bodyElement = null;
        foreach (var property in output.EnumerateObject())
        {
            if (property.Name.Equals("statusCode", StringComparison.OrdinalIgnoreCase) || property.Name.Equals("status", StringComparison.OrdinalIgnoreCase))
            {
                status = property.Value.ValueKind == JsonValueKind.Number
                    ? property.Value.GetInt32()
                    : int.TryParse(property.Value.GetString(), out var parsed) ? parsed : status;
            }
            else if (property.Name.Equals("headers", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var header in property.Value.EnumerateObject())
                {
                    context.Response.Headers[header.Name] = header.Value.ValueKind == JsonValueKind.String ? header.Value.GetString() : header.Value.GetRawText();
                }
            }
            else if (property.Name.Equals("body", StringComparison.OrdinalIgnoreCase))
            {
                bodyElement = property.Value;
            }
        }

        context.Response.StatusCode = status;
        if (bodyElement is { } b && b.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            var bytes = b.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(b.GetString()!) : Encoding.UTF8.GetBytes(b.GetRawText());
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        }
    }
}

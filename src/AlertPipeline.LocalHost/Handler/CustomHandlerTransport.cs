using System.Text;
using System.Text.Json;
using AlertPipeline.CustomHandler;
using AlertPipeline.LocalHost.Configuration;
using AlertPipeline.LocalHost.Http;
using AlertPipeline.LocalHost.Transport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AlertPipeline.LocalHost.Handler;

/// <summary>
/// The custom-handler transport (an app with host.json <c>customHandler</c> and function.json folders): the handler process
/// (<see cref="HandlerProcess"/>), invocations as HTTP POSTs of the custom-handler payload (<see cref="HandlerClient"/>),
/// HTTP functions forwarded as is (<c>enableForwardingHttpRequest</c>) or wrapped in the payload. Everything specific to
/// custom handlers lives in this folder: delete it (and the selection in <see cref="FunctionsLocalHost"/>) once the app
/// runs on the isolated worker.
/// </summary>
internal sealed class CustomHandlerTransport : IFunctionTransport
{
    private readonly HandlerProcess _handler;
    private readonly HandlerClient _client;
    private readonly ILogger _httpLogger;

    private CustomHandlerTransport(HandlerProcess handler, HandlerClient client, ILogger httpLogger)
    {
        _handler = handler;
        _client = client;
        _httpLogger = httpLogger;
    }

    public int? ProcessId => _handler.ProcessId;

    public int Restarts => _handler.Restarts;

    /// <summary>Starts the handler and waits until it answers.</summary>
    public static async Task<CustomHandlerTransport> StartAsync(
        FunctionAppLayout app, FunctionsLocalHostOptions options, IReadOnlyDictionary<string, string> settings, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var handler = new HandlerProcess(app, options.HandlerPath, settings, options.HandlerStartTimeout, loggers.CreateLogger("AlertPipeline.LocalHost.Handler"));
        var client = new HandlerClient(handler, app.Host.FunctionTimeout, loggers.CreateLogger("AlertPipeline.LocalHost.Function"));
        try
        {
            await handler.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            client.Dispose();
            await handler.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new CustomHandlerTransport(handler, client, loggers.CreateLogger("AlertPipeline.LocalHost.Http"));
    }

    public Task WaitUntilReadyAsync(CancellationToken cancellationToken) => _handler.WaitUntilReadyAsync(cancellationToken);

    public Task<InvocationOutcome> InvokeAsync(string functionName, TriggerInput trigger, CancellationToken cancellationToken)
    {
        var request = trigger switch
        {
            QueueTriggerInput queue => InvocationRequestBuilder.ForQueueMessage(
                functionName,
                queue.BindingName,
                new QueueTriggerMessage
                {
                    Id = queue.Message.Id,
                    Body = queue.Message.Body,
                    DequeueCount = queue.Message.DequeueCount,
                    InsertionTime = queue.Message.InsertionTime,
                    ExpirationTime = queue.Message.ExpirationTime,
                    NextVisibleTime = queue.Message.NextVisibleTime,
                    PopReceipt = queue.Message.PopReceipt,
                },
                queue.Binary),
            ServiceBusTriggerInput serviceBus => InvocationRequestBuilder.ForServiceBusMessage(
                functionName,
                serviceBus.BindingName,
                new ServiceBusTriggerMessage
                {
                    MessageId = serviceBus.Message.MessageId,
                    Body = serviceBus.Message.Body,
                    DeliveryCount = serviceBus.Message.DeliveryCount,
                    SequenceNumber = serviceBus.Message.SequenceNumber,
                    EnqueuedTime = serviceBus.Message.EnqueuedTime,
                    ExpiresAt = serviceBus.Message.ExpiresAt,
                    LockToken = serviceBus.Message.LockToken,
                },
                serviceBus.Binary),
            TimerTriggerInput timer => InvocationRequestBuilder.ForTimer(
                functionName,
                timer.BindingName,
                timer.Status is { } s ? new TimerScheduleStatus { Last = s.Last, Next = s.Next, LastUpdated = s.LastUpdated } : null,
                timer.IsPastDue),
            _ => throw new ArgumentException($"Unknown trigger input {trigger.GetType().Name}.", nameof(trigger)),
        };
        return _client.InvokeAsync(functionName, request, cancellationToken);
    }

    public async Task HandleHttpAsync(HttpFunction function, HttpContext context, Func<IInvocationOutputs, Task> writeOutputs)
    {
        if (function.Forward)
        {
            using var message = HttpForwarding.CreateRequest(context, _handler.BaseAddress, CustomHandlerJson.InvocationIdHeader, Guid.NewGuid().ToString());
            using var response = await _client.Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
            await HttpForwarding.CopyResponseAsync(response, context).ConfigureAwait(false);
        }
        else
        {
            await InvokeWrappedAsync(function, context, writeOutputs).ConfigureAwait(false);
        }
    }

    public Task StopAsync() => _handler.StopAsync();

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _handler.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Without forwarding: <c>Data.req</c> = {Url, Method, Query, Headers, Params, Body}; the response from <c>Outputs.res</c>.</summary>
    private async Task InvokeWrappedAsync(HttpFunction function, HttpContext context, Func<IInvocationOutputs, Task> writeOutputs)
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
            LocalHostLog.HttpFailed(_httpLogger, function.Name, request.Method, request.Path, outcome.FailureReason ?? "failed");
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        var response = ((CustomHandlerOutputs)outcome.Outputs!).Response;
        await writeOutputs(outcome.Outputs!).ConfigureAwait(false);
        await WriteWrappedResponseAsync(function, response, context).ConfigureAwait(false);
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

using System.Diagnostics;
using System.Net.Http.Headers;
using AlertPipeline.CustomHandler;
using AlertPipeline.LocalHost.Transport;

namespace AlertPipeline.LocalHost.Handler;

/// <summary>
/// Invokes functions as the Functions host does: <c>POST http://127.0.0.1:{port}/{FunctionName}</c> with the JSON
/// invocation request and an <c>X-Azure-Functions-InvocationId</c> header. Success is a 2xx answer with
/// <c>Content-Type: application/json</c> and a readable body; anything else (status, content type, JSON, connection
/// error, timeout) fails the invocation. A timeout (host.json <c>functionTimeout</c>) restarts the handler, as the host does.
/// </summary>
internal sealed class HandlerClient : IDisposable
{
    /// <summary>The timeout when host.json sets no functionTimeout (the Functions default on dedicated plans).</summary>
    public static readonly TimeSpan DefaultFunctionTimeout = TimeSpan.FromMinutes(30);

    private readonly HandlerProcess _handler;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;

    public HandlerClient(HandlerProcess handler, TimeSpan? functionTimeout, ILogger logger)
    {
        _handler = handler;
        _timeout = functionTimeout ?? DefaultFunctionTimeout;
        _logger = logger;
        Http = new HttpClient(
            new SocketsHttpHandler
            {
                UseProxy = false,
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
                ConnectTimeout = TimeSpan.FromSeconds(5),
                MaxConnectionsPerServer = int.MaxValue,
            },
            disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The client to the handler (also used to forward HTTP requests).</summary>
    public HttpClient Http { get; }

    public HandlerProcess Process => _handler;

    /// <summary>
    /// Invokes <paramref name="functionName"/>. <paramref name="cancellationToken"/> is the host's hard stop: when it fires
    /// the outcome is <see cref="InvocationOutcome.Abandoned"/>.
    /// </summary>
    public async Task<InvocationOutcome> InvokeAsync(string functionName, InvocationRequest request, CancellationToken cancellationToken)
    {
        var invocationId = Guid.NewGuid().ToString();
        try
        {
            await _handler.WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return InvocationOutcome.Abandon("the host stopped before the handler was ready");
        }

        LocalHostLog.Invoking(_logger, functionName, invocationId);
        var watch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(_handler.BaseAddress, Uri.EscapeDataString(functionName)));
        message.Headers.TryAddWithoutValidation(CustomHandlerJson.InvocationIdHeader, invocationId);
        var content = new ByteArrayContent(request.ToJsonUtf8Bytes());
        content.Headers.ContentType = new MediaTypeHeaderValue(CustomHandlerJson.MediaType);
        message.Content = content;

        string body;
        int status;
        string? mediaType;
        try
        {
            using var response = await Http.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            mediaType = response.Content.Headers.ContentType?.MediaType;
            body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return InvocationOutcome.Abandon("the host stopped while the function ran");
        }
        catch (OperationCanceledException)
        {
            _handler.Restart($"function {functionName} ({invocationId}) timed out after {_timeout}");
            return InvocationOutcome.Failure($"timed out after {_timeout} (functionTimeout); the handler is restarted");
        }
        catch (HttpRequestException ex)
        {
            return InvocationOutcome.Failure($"the handler could not be reached ({ex.HttpRequestError})");
        }

        if (status is < 200 or > 299)
        {
            var error = InvocationError.TryParse(body)?.Error ?? (body.Length == 0 ? "(empty body)" : body);
            return InvocationOutcome.Failure($"HTTP {status}: {Redaction.Mask(error)}");
        }

        if (!string.Equals(mediaType, CustomHandlerJson.MediaType, StringComparison.OrdinalIgnoreCase))
        {
            return InvocationOutcome.Failure($"HTTP {status} with content type '{mediaType ?? "(none)"}', not {CustomHandlerJson.MediaType}");
        }

        InvocationResponse parsed;
        try
        {
            parsed = InvocationResponse.Parse(body);
        }
        catch (InvocationPayloadException ex)
        {
            return InvocationOutcome.Failure($"HTTP {status} with an unreadable body: {ex.Message}");
        }

        foreach (var line in parsed.Logs)
        {
            LocalHostLog.FunctionLogLine(_logger, functionName, invocationId, Redaction.Mask(line));
        }

        LocalHostLog.InvocationSucceeded(_logger, functionName, invocationId, watch.ElapsedMilliseconds);
        return InvocationOutcome.Success(new CustomHandlerOutputs(parsed));
    }

    public void Dispose() => Http.Dispose();
}

/// <summary>A custom handler's response as outputs: <see cref="InvocationResponse.GetOutputMessages"/> (the host's expansion).</summary>
internal sealed class CustomHandlerOutputs(InvocationResponse response) : IInvocationOutputs
{
    public InvocationResponse Response => response;

    public IReadOnlyList<ReadOnlyMemory<byte>> GetOutputMessages(string bindingName, bool binary) =>
        [.. response.GetOutputMessages(bindingName, binary).Select(m => m.Body)];
}

using System.Diagnostics;
using System.Globalization;
using AlertPipeline.LocalHost.Grpc.Messages;
using AlertPipeline.LocalHost.Http;
using AlertPipeline.LocalHost.Transport;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http;

namespace AlertPipeline.LocalHost.Grpc;

/// <summary>
/// Runs an isolated-worker app as the Functions host does: serves the gRPC <c>EventStream</c>, launches the built worker
/// unmodified (<c>dotnet App.dll --functions-uri … --functions-worker-id … --functions-request-id …
/// --functions-grpc-max-message-length 2147483647</c> in the app folder, with the app settings and
/// FUNCTIONS_APPLICATION_DIRECTORY / FUNCTIONS_WORKER_DIRECTORY), then StartStream → WorkerInitRequest/Response →
/// FunctionsMetadataRequest (worker indexing) → one FunctionLoadRequest per function, and then invocations. A worker that
/// dies is restarted with a back-off (the same start sequence); invocations it had fail, so their messages follow the
/// queue retry/poison rules. Stop sends WorkerTerminate, waits the grace period, then kills.
/// </summary>
internal sealed class GrpcWorkerTransport : IFunctionTransport
{
    /// <summary>The correlation header the worker's ASP.NET Core integration matches a request to its invocation with.</summary>
    public const string InvocationIdHeader = "x-ms-invocation-id";

    /// <summary>What this host tells the worker it is (WorkerInitRequest.host_version).</summary>
    public const string HostVersion = "4.1037.0-alertpipeline-localhost";

    private const string MaxMessageLength = "2147483647";
    private static readonly TimeSpan TerminateGracePeriod = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StableUptime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan DefaultFunctionTimeout = TimeSpan.FromMinutes(30);

    private readonly string _root;
    private readonly WorkerConfig _config;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly TimeSpan _startTimeout;
    private readonly WorkerRpcServer _server;
    private readonly ILogger _logger;
    private readonly ILogger _functionLogger;
    private readonly ILogger _workerLogger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HttpClient _http = new(
        new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        },
        disposeHandler: true)
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private TaskCompletionSource _ready = NewReady();
    private WorkerSession? _session;
    private Task? _supervisor;
    private int _restarts;
    private TimeSpan _functionTimeout = DefaultFunctionTimeout;

    private GrpcWorkerTransport(
        string root, WorkerConfig config, IReadOnlyDictionary<string, string> settings, TimeSpan startTimeout, WorkerRpcServer server, ILoggerFactory loggers)
    {
        _root = root;
        _config = config;
        _settings = settings;
        _startTimeout = startTimeout;
        _server = server;
        _logger = loggers.CreateLogger("AlertPipeline.LocalHost.Worker");
        _functionLogger = loggers.CreateLogger("AlertPipeline.LocalHost.Function");
        _workerLogger = loggers.CreateLogger("Function");
    }

    /// <summary>The functions the worker reported (from the first start).</summary>
    public IReadOnlyList<RpcFunctionMetadata> Functions { get; private set; } = [];

    public int? ProcessId => Volatile.Read(ref _session) is { } s && !HasExited(s.Process) ? s.Process.Id : null;

    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>The worker's own HTTP server (its <c>HttpUri</c> capability), or null.</summary>
    public Uri? HttpUri => Volatile.Read(ref _session)?.HttpUri;

    /// <summary>
    /// Starts the gRPC server and the worker and runs the start sequence up to the function loads. Throws
    /// <see cref="LocalHostConfigurationException"/> when the worker cannot be started or refuses to load.
    /// </summary>
    public static async Task<GrpcWorkerTransport> StartAsync(
        string scriptRoot, IReadOnlyDictionary<string, string> settings, TimeSpan startTimeout, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(scriptRoot);
        var config = WorkerConfig.Load(root);
        var server = await WorkerRpcServer.StartAsync(loggers.CreateLogger("AlertPipeline.LocalHost.Worker"), cancellationToken).ConfigureAwait(false);
        var transport = new GrpcWorkerTransport(root, config, settings, startTimeout, server, loggers);
        try
        {
            var session = await transport.StartSessionAsync(cancellationToken).ConfigureAwait(false);
            transport.Functions = session.Metadata;
            transport._supervisor = Task.Run(transport.SuperviseAsync, CancellationToken.None);
            return transport;
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>host.json <c>functionTimeout</c>: an invocation running longer fails and the worker is restarted.</summary>
    public void SetFunctionTimeout(TimeSpan? timeout) => _functionTimeout = timeout ?? DefaultFunctionTimeout;

    public Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var ready = Volatile.Read(ref _ready).Task;
        return ready.IsCompleted ? ready : ready.WaitAsync(cancellationToken);
    }

    public async Task<InvocationOutcome> InvokeAsync(string functionName, TriggerInput trigger, CancellationToken cancellationToken)
    {
        WorkerSession session;
        try
        {
            session = await ReadySessionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return InvocationOutcome.Abandon("the host stopped before the worker was ready");
        }

        if (!session.FunctionIds.TryGetValue(functionName, out var functionId))
        {
            return InvocationOutcome.Failure($"the worker did not load a function named {functionName}");
        }

        var invocationId = Guid.NewGuid().ToString();
        var request = InvocationRequests.Build(invocationId, functionId, trigger, DateTimeOffset.UtcNow);
        return await InvokeCoreAsync(session, functionName, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Forwards the request to the worker's HTTP server with <c>x-ms-invocation-id</c> set (overwriting any the caller sent)
    /// and sends the invocation carrying an empty http value; relays the worker's response; writes queue outputs on success.
    /// </summary>
    public async Task HandleHttpAsync(HttpFunction function, HttpContext context, Func<IInvocationOutputs, Task> writeOutputs)
    {
        var session = await ReadySessionAsync(context.RequestAborted).ConfigureAwait(false);
        if (session.HttpUri is not { } httpUri || !session.FunctionIds.TryGetValue(function.Name, out var functionId))
        {
            LocalHostLog.HttpFailed(_functionLogger, function.Name, context.Request.Method, context.Request.Path,
                session.HttpUri is null
                    ? "the worker has no HTTP server (HttpUri): its Program.cs needs ConfigureFunctionsWebApplication()"
                    : "the worker did not load this function");
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            return;
        }

        var invocationId = Guid.NewGuid().ToString();
        var forwarding = ForwardAsync(context, httpUri, invocationId);
        var invocation = InvokeCoreAsync(session, function.Name, InvocationRequests.ForHttp(invocationId, functionId, function.Trigger.Name), context.RequestAborted);
        HttpResponseMessage? response = null;
        try
        {
            try
            {
                response = await forwarding.ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                LocalHostLog.HttpFailed(_functionLogger, function.Name, context.Request.Method, context.Request.Path, $"forwarding to the worker failed ({ex.HttpRequestError})");
            }

            if (response is not null)
            {
                await HttpForwarding.CopyResponseAsync(response, context).ConfigureAwait(false);
            }

            var outcome = await invocation.ConfigureAwait(false);
            if (outcome.Succeeded)
            {
                await writeOutputs(outcome.Outputs!).ConfigureAwait(false);
            }
            else
            {
                LocalHostLog.HttpFailed(_functionLogger, function.Name, context.Request.Method, context.Request.Path, outcome.FailureReason ?? "failed");
            }

            if (response is null && !context.Response.HasStarted)
            {
                context.Response.StatusCode = outcome.Succeeded ? StatusCodes.Status502BadGateway : StatusCodes.Status500InternalServerError;
            }
        }
        finally
        {
            response?.Dispose();
        }
    }

    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _session) is { } session)
        {
            await TerminateAsync(session).ConfigureAwait(false);
        }

        if (_supervisor is not null)
        {
            await _supervisor.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _session) is { } session)
        {
            Kill(session.Process);
            session.Process.Dispose();
        }

        await _server.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
        _stopping.Dispose();
    }

    private async Task<WorkerSession> ReadySessionAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
            if (Volatile.Read(ref _session) is { Ready: true } session)
            {
                return session;
            }
        }
    }

    private async Task<InvocationOutcome> InvokeCoreAsync(WorkerSession session, string functionName, InvocationRequest request, CancellationToken cancellationToken)
    {
        LocalHostLog.Invoking(_functionLogger, functionName, request.InvocationId);
        var watch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_functionTimeout);
        StreamingMessage answer;
        try
        {
            answer = await session.Channel.RequestAsync(
                WorkerChannel.InvocationKey(request.InvocationId), new StreamingMessage { InvocationRequest = request }, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return InvocationOutcome.Abandon("the host stopped while the function ran");
        }
        catch (OperationCanceledException)
        {
            LocalHostLog.WorkerRestartRequested(_logger, session.Process.Id, $"function {functionName} ({request.InvocationId}) timed out after {_functionTimeout}");
            Kill(session.Process);
            return InvocationOutcome.Failure($"timed out after {_functionTimeout} (functionTimeout); the worker is restarted");
        }
        catch (WorkerUnavailableException ex)
        {
            return InvocationOutcome.Failure($"the worker became unavailable during the invocation ({ex.Message})");
        }

        var response = answer.InvocationResponse;
        if (response.Result?.Status == StatusResult.Types.Status.Success)
        {
            LocalHostLog.InvocationSucceeded(_functionLogger, functionName, request.InvocationId, watch.ElapsedMilliseconds);
            return InvocationOutcome.Success(new GrpcInvocationOutputs(response));
        }

        return InvocationOutcome.Failure(Describe(response.Result));
    }

    private async Task<HttpResponseMessage> ForwardAsync(HttpContext context, Uri httpUri, string invocationId)
    {
        // The worker's server may still be binding: retry a refused connection (nothing was sent), as the host's proxy does.
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 1; ; attempt++)
        {
            using var message = HttpForwarding.CreateRequest(context, httpUri, InvocationIdHeader, invocationId);
            try
            {
                return await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError && attempt < 10)
            {
                await Task.Delay(delay, context.RequestAborted).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
            }
        }
    }

    private static string Describe(StatusResult? result)
    {
        if (result is null)
        {
            return "the worker answered without a status";
        }

        var exception = result.Exception;
        var what = exception is null
            ? result.Result
            : string.IsNullOrEmpty(exception.Type) ? exception.Message : $"{exception.Type}: {exception.Message}";
        return $"{result.Status}: {Redaction.Mask(string.IsNullOrEmpty(what) ? "(no detail)" : what)}";
    }

    /// <summary>Launches a worker and runs StartStream, init, metadata and loads; on success it becomes the current session.</summary>
    private async Task<WorkerSession> StartSessionAsync(CancellationToken cancellationToken)
    {
        var workerId = Guid.NewGuid().ToString();
        var channel = _server.Expect(workerId, OnLog);
        var process = Launch(workerId);
        var watch = Stopwatch.StartNew();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        bound.CancelAfter(_startTimeout);
        var exited = process.WaitForExitAsync(CancellationToken.None).ContinueWith(
            _ => channel.Close("the worker process exited"), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await channel.Connected.WaitAsync(bound.Token).ConfigureAwait(false);
            var init = await channel.RequestAsync(WorkerChannel.RequestKey(workerId), new StreamingMessage
            {
                RequestId = workerId,
                WorkerInitRequest = new WorkerInitRequest { HostVersion = HostVersion, WorkerDirectory = _root, FunctionAppDirectory = _root },
            }, bound.Token).ConfigureAwait(false);
            RequireSuccess(init.WorkerInitResponse.Result, "WorkerInitRequest");
            var capabilities = init.WorkerInitResponse.Capabilities;
            Uri? httpUri = capabilities.TryGetValue("HttpUri", out var uri) && Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? parsed : null;

            var metadataRequestId = Guid.NewGuid().ToString();
            var metadata = await channel.RequestAsync(WorkerChannel.RequestKey(metadataRequestId), new StreamingMessage
            {
                RequestId = metadataRequestId,
                FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = _root },
            }, bound.Token).ConfigureAwait(false);
            var functions = metadata.FunctionMetadataResponse;
            RequireSuccess(functions.Result, "FunctionsMetadataRequest");
            if (functions.UseDefaultMetadataIndexing)
            {
                throw new LocalHostConfigurationException("The worker asked the host to index its functions (use_default_metadata_indexing); this local host needs worker indexing (workerIndexing: true in worker.config.json).");
            }

            var ids = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var loads = functions.FunctionMetadataResults.Select(async function =>
            {
                var id = string.IsNullOrEmpty(function.FunctionId) ? Guid.NewGuid().ToString() : function.FunctionId;
                var load = await channel.RequestAsync(WorkerChannel.LoadKey(id), new StreamingMessage
                {
                    RequestId = Guid.NewGuid().ToString(),
                    FunctionLoadRequest = new FunctionLoadRequest { FunctionId = id, Metadata = function },
                }, bound.Token).ConfigureAwait(false);
                RequireSuccess(load.FunctionLoadResponse.Result, $"FunctionLoadRequest for {function.Name}");
                return (function.Name, id);
            }).ToList();
            foreach (var (name, id) in await Task.WhenAll(loads).ConfigureAwait(false))
            {
                ids[name] = id;
            }

            var session = new WorkerSession(process, channel, ids, httpUri, [.. functions.FunctionMetadataResults]) { Ready = true, StartedAt = DateTimeOffset.UtcNow };
            Volatile.Write(ref _session, session);
            Volatile.Read(ref _ready).TrySetResult();
            LocalHostLog.WorkerReady(_logger, process.Id, ids.Count, httpUri?.ToString() ?? "none", watch.ElapsedMilliseconds);
            return session;
        }
        catch (Exception ex) when (ex is OperationCanceledException or WorkerUnavailableException or LocalHostConfigurationException)
        {
            _server.Forget(workerId);
            channel.Close("the start sequence failed");
            Kill(process);
            if (ex is OperationCanceledException && (cancellationToken.IsCancellationRequested || _stopping.IsCancellationRequested))
            {
                throw;
            }

            var exitCode = HasExited(process) ? process.ExitCode.ToString(CultureInfo.InvariantCulture) : "none";
            var problem = ex switch
            {
                LocalHostConfigurationException config => config.Message,
                OperationCanceledException => $"the worker did not complete the start sequence within {_startTimeout.TotalSeconds:0} s",
                _ => $"the worker exited (code {exitCode}) before completing the start sequence; see its output above",
            };
            throw new LocalHostConfigurationException($"Could not start the worker {_config.WorkerPath} in {_root}: {problem}", ex);
        }
        finally
        {
            _ = exited;
        }
    }

    private Process Launch(string workerId)
    {
        var startInfo = new ProcessStartInfo(_config.ExecutablePath)
        {
            WorkingDirectory = _root,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in _config.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.ArgumentList.Add(Path.IsPathRooted(_config.WorkerPath) ? _config.WorkerPath : Path.Combine(_root, _config.WorkerPath));
        string[] switches =
        [
            "--functions-uri", _server.Address.AbsoluteUri,
            "--functions-worker-id", workerId,
            "--functions-request-id", Guid.NewGuid().ToString(),
            "--functions-grpc-max-message-length", MaxMessageLength,
        ];
        foreach (var argument in switches)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in _settings)
        {
            // As app settings on Linux: a section separator ':' is passed as '__' (which .NET configuration reads back as ':').
            startInfo.Environment[name.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        startInfo.Environment["FUNCTIONS_WORKER_RUNTIME"] = _config.Language;
        startInfo.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = _root;
        startInfo.Environment["FUNCTIONS_WORKER_DIRECTORY"] = _root;
        startInfo.Environment["AzureWebJobsScriptRoot"] = _root;

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("Process.Start returned no process.");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new LocalHostConfigurationException($"Could not start the worker '{_config.ExecutablePath}': {ex.Message}", ex);
        }

        process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => OnOutput(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        LocalHostLog.WorkerStarted(_logger, process.Id, _config.WorkerPath, _server.Address.ToString());
        StartWatchdog(process.Id);
        return process;
    }

    /// <summary>
    /// The unmodified worker does not exit when its gRPC stream breaks, so a host killed outright (SIGKILL) would leave it
    /// running. A small shell beside it checks every second that this host is alive and, when it is not, stops the worker
    /// (SIGTERM, SIGKILL after 10 s); it ends by itself when the worker does. (Not on Windows.)
    /// </summary>
    private void StartWatchdog(int workerId)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var watchdog = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in new[] { "-c", WatchdogScript, "alertpipeline-worker-watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), workerId.ToString(CultureInfo.InvariantCulture) })
        {
            watchdog.ArgumentList.Add(argument);
        }

        try
        {
            using var started = Process.Start(watchdog);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            LocalHostLog.WorkerOutput(_logger, $"no watchdog for worker {workerId} ({ex.Message}): if this host is killed, stop the worker yourself");
        }
    }

    private const string WatchdogScript = """
        host=$1; worker=$2
        while kill -0 "$host" 2>/dev/null && kill -0 "$worker" 2>/dev/null; do sleep 1; done
        kill -0 "$host" 2>/dev/null && exit 0
        kill -TERM "$worker" 2>/dev/null
        for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$worker" 2>/dev/null || exit 0; sleep 1; done
        kill -KILL "$worker" 2>/dev/null
        """;

    /// <summary>Waits for the worker to exit; unless stopping, restarts it with a back-off until it is up again.</summary>
    private async Task SuperviseAsync()
    {
        var attempt = 0;
        while (!_stopping.IsCancellationRequested)
        {
            var session = Volatile.Read(ref _session)!;
            try
            {
                await Task.WhenAny(session.Process.WaitForExitAsync(_stopping.Token), session.Channel.Closed).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            Volatile.Write(ref _ready, NewReady());
            session.Ready = false;
            Kill(session.Process); // the stream ended but the process lingers: it cannot be reused
            await WaitForExitAsync(session.Process, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            session.Channel.Close("the worker process exited");
            var uptime = DateTimeOffset.UtcNow - session.StartedAt;
            attempt = uptime >= StableUptime ? 0 : attempt + 1;
            var exitCode = HasExited(session.Process) ? session.Process.ExitCode : -1;
            while (!_stopping.IsCancellationRequested)
            {
                var delay = RestartDelay(attempt);
                LocalHostLog.WorkerExited(_logger, session.Process.Id, exitCode, uptime.TotalSeconds, (long)delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
                    var next = await StartSessionAsync(_stopping.Token).ConfigureAwait(false);
                    session.Process.Dispose();
                    var restarts = Interlocked.Increment(ref _restarts);
                    LocalHostLog.WorkerRestarted(_logger, next.Process.Id, restarts);
                    break;
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (LocalHostConfigurationException ex)
                {
                    LocalHostLog.WorkerRestartFailed(_logger, ex.Message);
                    attempt++;
                }
            }
        }
    }

    private async Task TerminateAsync(WorkerSession session)
    {
        if (HasExited(session.Process))
        {
            return;
        }

        var pid = session.Process.Id;
        session.Channel.Send(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(TerminateGracePeriod) } });
        await WaitForExitAsync(session.Process, TerminateGracePeriod + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        if (!HasExited(session.Process))
        {
            Kill(session.Process);
            await WaitForExitAsync(session.Process, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        session.Channel.Close("the host stopped the worker");
        LocalHostLog.WorkerStopped(_logger, pid);
    }

    private void OnLog(RpcLog log)
    {
        var level = log.Level switch
        {
            RpcLog.Types.Level.Trace => LogLevel.Trace,
            RpcLog.Types.Level.Debug => LogLevel.Debug,
            RpcLog.Types.Level.Information => LogLevel.Information,
            RpcLog.Types.Level.Warning => LogLevel.Warning,
            RpcLog.Types.Level.Error => LogLevel.Error,
            RpcLog.Types.Level.Critical => LogLevel.Critical,
            _ => LogLevel.None,
        };

        // The worker's own system logs are chatty at Information: they go to Debug unless they warn.
        if (log.LogCategory == RpcLog.Types.RpcLogCategory.System && level < LogLevel.Warning)
        {
            level = LogLevel.Debug;
        }

        if (level == LogLevel.None || !_workerLogger.IsEnabled(level))
        {
            return;
        }

        var exception = log.Exception is { } e ? $" [{e.Type}: {Redaction.Mask(e.Message)}]" : string.Empty;
        LocalHostLog.WorkerLog(_workerLogger, level, log.Category, log.InvocationId, Redaction.Mask(log.Message) + exception);
    }

    private void OnOutput(string? line)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            LocalHostLog.WorkerOutput(_logger, Redaction.Mask(line));
        }
    }

    private static void RequireSuccess(StatusResult? result, string step)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new LocalHostConfigurationException($"the worker answered {step} with {Describe(result)}");
        }
    }

    private static TimeSpan RestartDelay(int attempt) =>
        attempt <= 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(250 * Math.Pow(2, attempt - 1), MaxRestartDelay.TotalMilliseconds));

    private static TaskCompletionSource NewReady() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static async Task WaitForExitAsync(Process process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Gave it long enough.
        }
    }

    /// <summary>One running worker: its process, its stream, the ids of its loaded functions by name, its HTTP address.</summary>
    private sealed record WorkerSession(
        Process Process, WorkerChannel Channel, IReadOnlyDictionary<string, string> FunctionIds, Uri? HttpUri, IReadOnlyList<RpcFunctionMetadata> Metadata)
    {
        public volatile bool Ready;

        public DateTimeOffset StartedAt { get; init; }
    }
}

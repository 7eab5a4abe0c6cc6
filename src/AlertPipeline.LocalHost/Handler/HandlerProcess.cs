using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AlertPipeline.LocalHost.Configuration;

namespace AlertPipeline.LocalHost.Handler;

/// <summary>
/// The handler child process, started as the Functions host starts it: environment <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>
/// (a free port), <c>FUNCTIONS_CUSTOMHANDLER_WORKER_ID</c>, <c>FUNCTIONS_APP_ROOT_PATH</c> and every app setting (a ':' in
/// a name passed as '__', as Linux app settings are), plus <c>ALERTPIPELINE_WATCH_STDIN=1</c> with a stdin pipe held open so
/// our function app stops when this host dies; ready
/// once <c>GET /</c> gets any HTTP answer (polled every 25 ms). If it dies it is restarted with a back-off; callers wait
/// for <see cref="WaitUntilReadyAsync"/> before invoking.
/// </summary>
internal sealed class HandlerProcess : IAsyncDisposable
{
    public const string PortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";
    public const string WorkerIdVariable = "FUNCTIONS_CUSTOMHANDLER_WORKER_ID";
    public const string AppRootVariable = "FUNCTIONS_APP_ROOT_PATH";

    /// <summary>Tells our function app to stop when its stdin closes, i.e. when this host dies (ParentHostWatch).</summary>
    public const string WatchStdinVariable = "ALERTPIPELINE_WATCH_STDIN";

    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan StableUptime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(15);

    private readonly FunctionAppLayout _app;
    private readonly string? _handlerOverride;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly TimeSpan _startTimeout;
    private readonly ILogger _logger;
    private readonly HttpClient _probe = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) })
    {
        Timeout = TimeSpan.FromSeconds(5),
    };

    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private TaskCompletionSource _ready = NewReady();
    private Process? _process;
    private DateTimeOffset _startedAt;
    private Uri _baseAddress = new("http://127.0.0.1/");
    private Task? _supervisor;
    private int _restarts;

    public HandlerProcess(FunctionAppLayout app, string? handlerOverride, IReadOnlyDictionary<string, string> settings, TimeSpan startTimeout, ILogger logger)
    {
        _app = app;
        _handlerOverride = handlerOverride;
        _settings = settings;
        _startTimeout = startTimeout;
        _logger = logger;
    }

    /// <summary>The running handler's address (<c>http://127.0.0.1:{port}/</c>).</summary>
    public Uri BaseAddress => Volatile.Read(ref _baseAddress);

    /// <summary>The handler's process id, or null when none is running.</summary>
    public int? ProcessId
    {
        get
        {
            lock (_gate)
            {
                return _process is { } p && !HasExited(p) ? p.Id : null;
            }
        }
    }

    /// <summary>How many times the handler was restarted after it died.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    /// <summary>Starts the handler and waits until it answers; throws <see cref="LocalHostConfigurationException"/> when it does not.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await StartOnceAsync(cancellationToken).ConfigureAwait(false);
        _supervisor = Task.Run(SuperviseAsync, CancellationToken.None);
    }

    /// <summary>Completes when the handler answers (at once when it is up).</summary>
    public Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var ready = Volatile.Read(ref _ready).Task;
        return ready.IsCompleted ? ready : ready.WaitAsync(cancellationToken);
    }

    /// <summary>Kills the handler so that it is restarted (the host does this after a function timeout).</summary>
    public void Restart(string reason)
    {
        lock (_gate)
        {
            if (_process is { } p && !HasExited(p))
            {
                LocalHostLog.HandlerRestartRequested(_logger, p.Id, reason);
                Kill(p);
            }
        }
    }

    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        Process? process;
        lock (_gate)
        {
            process = _process;
        }

        if (process is not null && !HasExited(process))
        {
            var id = process.Id;
            Kill(process);
            await WaitForExitAsync(process, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            LocalHostLog.HandlerStopped(_logger, id);
        }

        if (_supervisor is not null)
        {
            await _supervisor.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _process?.Dispose();
            _process = null;
        }

        _probe.Dispose();
        _stopping.Dispose();
    }

    private async Task StartOnceAsync(CancellationToken cancellationToken)
    {
        var port = FreePort();
        var environment = new Dictionary<string, string>(_settings, StringComparer.Ordinal)
        {
            [PortVariable] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [WorkerIdVariable] = Guid.NewGuid().ToString(),
            [AppRootVariable] = _app.ScriptRoot,
            [WatchStdinVariable] = "1",
        };
        var command = HandlerCommand.Resolve(_app, _handlerOverride, name =>
            environment.TryGetValue(name, out var value) ? value : Environment.GetEnvironmentVariable(name));

        var startInfo = new ProcessStartInfo(command.FileName)
        {
            WorkingDirectory = command.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // held open, never written: closes when this process dies
        };
        foreach (var argument in command.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            // As app settings on Linux: a section separator ':' is passed as '__' (which .NET configuration reads back as ':').
            startInfo.Environment[name.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("Process.Start returned no process.");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new LocalHostConfigurationException($"Could not start the handler '{command.FileName}': {ex.Message}", ex);
        }

        process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => OnOutput(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        LocalHostLog.HandlerStarted(_logger, process.Id, port, command.FileName);

        lock (_gate)
        {
            var previous = _process;
            _process = process;
            previous?.Dispose();
        }

        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var watch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        timeout.CancelAfter(_startTimeout);
        try
        {
            while (true)
            {
                if (HasExited(process))
                {
                    throw new LocalHostConfigurationException(
                        $"The handler '{command.FileName}' exited with code {process.ExitCode} before answering GET {baseAddress} " +
                        "(see its output above; does it listen on FUNCTIONS_CUSTOMHANDLER_PORT?).");
                }

                if (await AnswersAsync(baseAddress, timeout.Token).ConfigureAwait(false))
                {
                    break;
                }

                await Task.Delay(ProbeInterval, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_stopping.IsCancellationRequested)
        {
            Kill(process);
            throw new LocalHostConfigurationException(
                $"The handler '{command.FileName}' did not answer GET {baseAddress} within {_startTimeout.TotalSeconds:0} s " +
                "(does it listen on 127.0.0.1 at FUNCTIONS_CUSTOMHANDLER_PORT, e.g. with --urls http://127.0.0.1:%FUNCTIONS_CUSTOMHANDLER_PORT%?).");
        }
        catch
        {
            Kill(process);
            throw;
        }

        _startedAt = DateTimeOffset.UtcNow;
        Volatile.Write(ref _baseAddress, baseAddress);
        Volatile.Read(ref _ready).TrySetResult();
        LocalHostLog.HandlerReady(_logger, process.Id, watch.ElapsedMilliseconds);
    }

    /// <summary>Waits for the handler to exit; unless stopping, restarts it with a back-off until it is up again.</summary>
    private async Task SuperviseAsync()
    {
        var attempt = 0;
        while (!_stopping.IsCancellationRequested)
        {
            Process? process;
            lock (_gate)
            {
                process = _process;
            }

            if (process is null)
            {
                return;
            }

            try
            {
                await process.WaitForExitAsync(_stopping.Token).ConfigureAwait(false);
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
            var uptime = DateTimeOffset.UtcNow - _startedAt;
            var (processId, exitCode) = (process.Id, ExitCode(process));
            attempt = uptime >= StableUptime ? 0 : attempt + 1;
            while (!_stopping.IsCancellationRequested)
            {
                var delay = RestartDelay(attempt);
                LocalHostLog.HandlerExited(_logger, processId, exitCode, uptime.TotalSeconds, (long)delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
                    await StartOnceAsync(_stopping.Token).ConfigureAwait(false);
                    var restarts = Interlocked.Increment(ref _restarts);
                    LocalHostLog.HandlerRestarted(_logger, ProcessId ?? 0, restarts);
                    break;
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (LocalHostConfigurationException ex)
                {
                    LocalHostLog.HandlerRestartFailed(_logger, ex.Message);
                    attempt++;
                }
            }
        }
    }

    private static TimeSpan RestartDelay(int attempt) =>
        attempt <= 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(250 * Math.Pow(2, attempt - 1), MaxRestartDelay.TotalMilliseconds));

    private async Task<bool> AnswersAsync(Uri baseAddress, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _probe.GetAsync(baseAddress, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            return true; // any HTTP answer counts
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false; // this probe timed out; the overall limit decides
        }
    }

    private void OnOutput(string? line)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            LocalHostLog.HandlerOutput(_logger, Redaction.Mask(line));
        }
    }

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

    private static int ExitCode(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exiting as we speak.
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

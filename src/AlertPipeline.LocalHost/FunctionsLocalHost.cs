using System.Diagnostics;
using AlertPipeline.LocalHost.Configuration;
using AlertPipeline.LocalHost.Grpc;
using AlertPipeline.LocalHost.Http;
using AlertPipeline.LocalHost.Queues;
using AlertPipeline.LocalHost.Settings;
using AlertPipeline.LocalHost.Timers;
using AlertPipeline.LocalHost.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlertPipeline.LocalHost;

/// <summary>
/// A local Azure Functions host over Azurite. It runs the app the way the Functions host does: a built isolated-worker
/// app (worker.config.json + functions.metadata in the app folder) over the host–worker gRPC protocol
/// (<see cref="GrpcWorkerTransport"/>; any other app folder is a start-up error); it feeds
/// queue and Service Bus triggers (Service Bus entities are Azurite queues of the same name) with the Functions
/// semantics, fires timers, serves HTTP triggers, and writes outputs. Start with <see cref="StartAsync"/>; stop with
/// <see cref="StopAsync"/> (graceful: in-flight invocations finish) or dispose.
/// </summary>
public sealed class FunctionsLocalHost : IAsyncDisposable
{
    private readonly FunctionsLocalHostOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopFetching = new();
    private readonly CancellationTokenSource _hardStop = new();
    private readonly List<QueueListener> _listeners = [];
    private readonly List<TimerRunner> _timers = [];
    private IFunctionTransport? _transport;
    private HttpTriggerServer? _http;
    private AdminInvoker? _admin;
    private Task? _stopTask;
    private int _state; // 0 new, 1 starting/started, 2 stopping

    public FunctionsLocalHost(FunctionsLocalHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.LeaseDuration < TimeSpan.FromSeconds(1) || options.LeaseDuration > TimeSpan.FromDays(7))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LeaseDuration, "LeaseDuration must be between 1 second and 7 days.");
        }

        if (options.HttpPort is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.HttpPort, "HttpPort must be 0 (any free port) or a TCP port.");
        }

        _options = options;
        _loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("AlertPipeline.LocalHost");
    }

    /// <summary>The loaded app (after <see cref="StartAsync"/>).</summary>
    public FunctionAppLayout? App { get; private set; }

    /// <summary>The settings the host and handler run with (after <see cref="StartAsync"/>).</summary>
    public AppSettings? Settings { get; private set; }

    /// <summary>Where HTTP-triggered functions and the admin API (<c>POST /admin/functions/{name}</c>) are served, or null
    /// when the app has neither HTTP nor timer functions.</summary>
    public Uri? HttpAddress => _http?.Address;

    /// <summary>The worker's process id while it runs.</summary>
    public int? WorkerProcessId => _transport?.ProcessId;

    /// <summary>How many times the worker process was restarted after dying.</summary>
    public int WorkerRestarts => _transport?.Restarts ?? 0;

    /// <summary>True when the app runs on the isolated worker over gRPC (false: a custom handler).</summary>
    public bool IsWorkerApp { get; private set; }

    /// <summary>Invocations of queue and Service Bus functions now running.</summary>
    public int InFlight => _listeners.Sum(l => l.InFlight);

    /// <summary>
    /// Loads settings, host.json and every function.json, starts the handler and waits until it answers, then starts the
    /// HTTP server, the queue listeners and the timers. Throws <see cref="LocalHostConfigurationException"/> with a clear
    /// message when anything is wrong (nothing is left running then).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("This local host was already started; create a new one.");
        }

        var watch = Stopwatch.StartNew();
        try
        {
            Settings = LoadSettings();
            IsWorkerApp = WorkerConfig.IsWorkerApp(Path.GetFullPath(_options.ScriptRoot));
            if (!IsWorkerApp)
            {
                throw new LocalHostConfigurationException(
                    $"{Path.GetFullPath(_options.ScriptRoot)} is not a built isolated-worker app: it needs {WorkerConfig.FileName} and {WorkerConfig.MetadataFileName} (the output of Microsoft.Azure.Functions.Worker.Sdk).");
            }

            // The worker indexes its functions: start it first, then plan from the metadata it reports.
            var host = LoadHostJson();
            var worker = await GrpcWorkerTransport.StartAsync(_options.ScriptRoot, Settings.Values, _options.WorkerStartTimeout, _loggerFactory, cancellationToken)
                .ConfigureAwait(false);
            _transport = worker;
            worker.SetFunctionTimeout(host.FunctionTimeout);
            App = WorkerFunctions.ToLayout(_options.ScriptRoot, host, worker.Functions, Settings.Get);
            var plan = HostPlan.Build(App, Settings, _options, _logger);
            LocalHostLog.Starting(_logger, App.ScriptRoot, App.Functions.Count, _options.LeaseDuration);

            var outputs = new OutputWriter(plan.Connections, _loggerFactory.CreateLogger("AlertPipeline.LocalHost.Outputs"));
            var httpLogger = _loggerFactory.CreateLogger("AlertPipeline.LocalHost.Http");
            _admin = new AdminInvoker(plan.AdminTimers, plan.TriggerTypes, _transport, outputs, httpLogger, _hardStop.Token);
            if (plan.Http.Count > 0 || plan.AdminTimers.Count > 0)
            {
                _http = await HttpTriggerServer.StartAsync(
                    _options.HttpPort, App.ScriptRoot, plan.Http, _admin, _transport, outputs, httpLogger, cancellationToken)
                    .ConfigureAwait(false);
            }

            var queueLogger = _loggerFactory.CreateLogger("AlertPipeline.LocalHost.Queues");
            foreach (var settings in plan.Listeners)
            {
                var listener = new QueueListener(settings, _transport, outputs, plan.Connections, queueLogger);
                _listeners.Add(listener);
            }

            var timerLogger = _loggerFactory.CreateLogger("AlertPipeline.LocalHost.Timers");
            foreach (var timer in plan.Timers)
            {
                _timers.Add(new TimerRunner(
                    timer.Name, timer.Binding.Name, timer.Binding.RunOnStartup, timer.Schedule, _transport, outputs, timer.Outputs, _options.TimeProvider, timerLogger));
            }

            foreach (var listener in _listeners)
            {
                listener.Start(_stopFetching.Token, _hardStop.Token);
            }

            foreach (var timer in _timers)
            {
                timer.Start(_stopFetching.Token, _hardStop.Token);
            }

            LocalHostLog.Started(_logger, watch.ElapsedMilliseconds);
        }
        catch
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Graceful stop: stops fetching and serving, lets invocations in flight finish and complete (outputs, delete) for up
    /// to <see cref="FunctionsLocalHostOptions.ShutdownTimeout"/> (or until <paramref name="cancellationToken"/>), then
    /// abandons the rest to their lease and stops the handler. Safe to call more than once.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_listeners)
        {
            _state = 2;
            return _stopTask ??= StopCoreAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_transport is not null)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }

        _stopFetching.Dispose();
        _hardStop.Dispose();
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        LocalHostLog.Stopping(_logger, _options.ShutdownTimeout, InFlight);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(_options.ShutdownTimeout);
        await _stopFetching.CancelAsync().ConfigureAwait(false);

        var drains = _listeners.Select(l => l.DrainAsync()).Concat(_timers.Select(t => t.DrainAsync())).ToList();
        if (_http is not null)
        {
            drains.Add(StopHttpAsync(_http, bound.Token));
        }

        if (_admin is not null)
        {
            drains.Add(_admin.DrainAsync());
        }

        var all = Task.WhenAll(drains);
        try
        {
            await all.WaitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LocalHostLog.ShutdownTimedOut(_logger, InFlight);
            await _hardStop.CancelAsync().ConfigureAwait(false);
            try
            {
                await all.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Abandoned: their messages reappear after their lease.
            }
        }

        if (_http is not null)
        {
            await _http.DisposeAsync().ConfigureAwait(false);
        }

        if (_transport is not null)
        {
            await _transport.StopAsync().ConfigureAwait(false);
        }

        LocalHostLog.Stopped(_logger);
    }

    private static async Task StopHttpAsync(HttpTriggerServer http, CancellationToken cancellationToken)
    {
        try
        {
            await http.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Requests still running are cut off.
        }
    }

    private AppSettings LoadSettings()
    {
        var file = _options.SettingsFile;
        if (file is null)
        {
            var candidate = Path.Combine(Path.GetFullPath(_options.ScriptRoot), AppSettings.LocalSettingsFileName);
            file = File.Exists(candidate) ? candidate : null;
        }

        return AppSettings.Load(file, _options.Settings, _options.IncludeEnvironmentVariables ? Environment.GetEnvironmentVariables() : null);
    }

    private HostJson LoadHostJson()
    {
        try
        {
            return HostJson.Load(Path.Combine(Path.GetFullPath(_options.ScriptRoot), HostJson.FileName));
        }
        catch (FunctionAppConfigurationException ex)
        {
            throw new LocalHostConfigurationException(ex.Message, ex);
        }
    }
}

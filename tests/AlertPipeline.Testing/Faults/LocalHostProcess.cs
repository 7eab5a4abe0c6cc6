using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace AlertPipeline.Testing.Faults;

/// <summary>
/// <c>AlertPipeline.LocalHost run</c> as its own OS process, its output written to a log file, and the worker processes
/// it started (read from its "Worker started: process N" lines) so that either can be SIGKILLed.
/// </summary>
public sealed partial class LocalHostProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<int> _workers = new();
    private readonly ConcurrentQueue<int> _ready = new();

    private LocalHostProcess(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Worker processes that finished their start sequence ("Worker ready") so far, oldest first.</summary>
    public IReadOnlyList<int> WorkerProcessIds => [.. _ready];

    public int? CurrentWorker => _ready.IsEmpty ? null : _ready.Last();

    public static LocalHostProcess Start(string localHostDll, string scriptRoot, string lease, int httpPort, string logPath)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     localHostDll, "run", "--script-root", scriptRoot, "--lease", lease,
                     "--port", httpPort.ToString(CultureInfo.InvariantCulture),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the local host.");
        var host = new LocalHostProcess(process, log);
        process.OutputDataReceived += (_, e) => host.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => host.OnOutput(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits (bounded) until a worker beyond the first <paramref name="known"/> is ready (its functions loaded).</summary>
    public Task WaitForWorkerAsync(int known, TimeSpan timeout) =>
        Poll.UntilAsync(
            () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"The local host exited with code {_process.ExitCode} (see its log).");
                }

                return _ready.Count > known;
            },
            "the local host's worker to start",
            timeout);

    /// <summary>SIGKILL of the current worker alone: the host notices and starts another.</summary>
    public int? KillWorker()
    {
        var pid = CurrentWorker;
        if (pid is not null)
        {
            KillPid(pid.Value);
        }

        return pid;
    }

    /// <summary>SIGKILL of the host and then of every worker it started, as when the machine dies.</summary>
    public void KillAll()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        foreach (var pid in _workers)
        {
            KillPid(pid);
        }
    }

    /// <summary>SIGTERM (a graceful stop), waiting up to <paramref name="timeout"/>, then SIGKILL.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync().ConfigureAwait(false);
            }

            try
            {
                await _process.WaitForExitAsync().WaitAsync(timeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }

        KillAll();
    }

    public void Dispose()
    {
        KillAll();
        _process.Dispose();
        lock (_gate)
        {
            _log.Dispose();
        }
    }

    private static void KillPid(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(5000);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }

        if (WorkerStartedLine().Match(line) is { Success: true } match)
        {
            _workers.Enqueue(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        else if (WorkerReadyLine().Match(line) is { Success: true } ready)
        {
            _ready.Enqueue(int.Parse(ready.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"Worker started: process (\d+) ")]
    private static partial Regex WorkerStartedLine();

    [GeneratedRegex(@"Worker ready: process (\d+) ")]
    private static partial Regex WorkerReadyLine();
}

using System.Diagnostics;

namespace AlertPipeline.Testing.Faults;

/// <summary>
/// An Azurite that keeps its data on disk (<c>--location</c>, not <c>--inMemoryPersistence</c>) on ports fixed at
/// creation, so it can be stopped and started again under the same connection string with its tables and queues intact,
/// as the real service comes back after a restart. <see cref="Restart"/> stops it with SIGTERM (Azurite closes its
/// stores, flushing them) and starts it again.
/// </summary>
public sealed class DiskAzurite : IDisposable
{
    private Process? _process;

    private DiskAzurite(string location)
    {
        Location = location;
        BlobPort = FreePort.Next();
        QueuePort = FreePort.Next();
        TablePort = FreePort.Next();
    }

    public string Location { get; }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    /// <summary>Azurite's process id while it runs.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public string ConnectionString => AzuriteProcess.ConnectionString(BlobPort, QueuePort, TablePort);

    public static async Task<DiskAzurite> StartAsync(string location)
    {
        Directory.CreateDirectory(location);
        var azurite = new DiskAzurite(location);
        await azurite.StartProcessAsync().ConfigureAwait(false);
        return azurite;
    }

    /// <summary>SIGTERM, wait for the exit (its stores are saved), then start again on the same ports and folder.</summary>
    public async Task<TimeSpan> RestartAsync(TimeSpan downtime)
    {
        var watch = Stopwatch.StartNew();
        await StopAsync().ConfigureAwait(false);
        await Task.Delay(downtime).ConfigureAwait(false);
        await StartProcessAsync().ConfigureAwait(false);
        return watch.Elapsed;
    }

    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync().ConfigureAwait(false);
        }

        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
        }

        process.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        try
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process?.Dispose();
        _process = null;
    }

    private async Task StartProcessAsync()
    {
        // node runs Azurite's entry point directly (not through npx or a shell), so that SIGTERM reaches Azurite itself.
        var process = AzuriteProcess.Start(
            "node",
            [
                RepositoryPaths.Combine("node_modules", "azurite", "dist", "src", "azurite.js"),
                "--silent", "--disableTelemetry", "--location", Location, .. AzuriteProcess.LoopbackArguments(BlobPort, QueuePort, TablePort),
            ]);
        _process = process;
        await AzuriteProcess.WaitUntilListeningAsync(process, BlobPort, QueuePort, TablePort).ConfigureAwait(false);
    }
}

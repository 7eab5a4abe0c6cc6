using System.Diagnostics;
using System.Globalization;

namespace AlertPipeline.Testing.Faults;

/// <summary>How the harnesses that time the app under load run Azurite (<see cref="HarnessAzurite"/>).</summary>
/// <param name="Location">The data folder (<c>--location</c>: the stores survive a restart, and Azurite 3.35.0 autosaves
/// them every 5 s); null keeps everything in memory (<c>--inMemoryPersistence</c>).</param>
public sealed record HarnessAzuriteOptions(string? Location)
{
    /// <summary>
    /// True (default): the Table, Queue and Blob services each run in their own Node process (Azurite's
    /// <c>table/main.js</c>, <c>queue/main.js</c>, <c>blob/main.js</c> entry points), as they are separate services in
    /// Azure. False: one <c>azurite.js</c> process serves all three on one Node thread, so a queue put waits behind
    /// whatever table work is in flight (the layout before 2026-12-05, kept for comparison).
    /// </summary>
    public bool SeparateServices { get; init; } = true;

    /// <summary>
    /// True (default): Azurite runs with <c>bench/azurite/point-lookups.js</c> preloaded, which finds one entity through
    /// the more selective of its PartitionKey and RowKey indexes instead of scanning its whole partition (the same
    /// answer; see the script). False: Azurite 3.35.0 as shipped.
    /// </summary>
    public bool IndexedPointLookups { get; init; } = true;

    /// <summary>What the run's report says about this Azurite.</summary>
    public string Describe() =>
        $"{(Location is null ? "memory" : "disk")}, {(SeparateServices ? "table/queue/blob in 3 processes" : "1 process")}, " +
        $"point lookups {(IndexedPointLookups ? "by the narrower index" : "as shipped (partition scan)")}";
}

/// <summary>
/// The Azurite of the fault and responsiveness harnesses, on loopback ports fixed at creation so that
/// <see cref="RestartAsync"/> brings it back under the same connection string (on disk, with its tables and queues
/// intact, as the real service comes back after a restart). Each process is Azurite's own entry point run by
/// <c>node</c> directly (not through npx or a shell), so that the signal that stops it reaches Azurite itself: SIGINT,
/// which every entry point handles by closing its stores (the Table entry point of 3.35.0 handles no SIGTERM).
/// </summary>
public sealed class HarnessAzurite : IDisposable, IAsyncDisposable
{
    private readonly HarnessAzuriteOptions _options;
    private readonly List<Process> _processes = [];

    private HarnessAzurite(HarnessAzuriteOptions options)
    {
        _options = options;
        BlobPort = FreePort.Next();
        QueuePort = FreePort.Next();
        TablePort = FreePort.Next();
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public string ConnectionString => AzuriteProcess.ConnectionString(BlobPort, QueuePort, TablePort);

    public string Description => _options.Describe();

    public static async Task<HarnessAzurite> StartAsync(HarnessAzuriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Location is { } location)
        {
            Directory.CreateDirectory(location);
        }

        var azurite = new HarnessAzurite(options);
        try
        {
            await azurite.StartProcessesAsync().ConfigureAwait(false);
        }
        catch
        {
            azurite.Dispose();
            throw;
        }

        return azurite;
    }

    /// <summary>Stops every process (their stores are saved), waits <paramref name="downtime"/>, then starts them again on the same ports and folder.</summary>
    public async Task<TimeSpan> RestartAsync(TimeSpan downtime)
    {
        var watch = Stopwatch.StartNew();
        await StopAsync().ConfigureAwait(false);
        await Task.Delay(downtime).ConfigureAwait(false);
        await StartProcessesAsync().ConfigureAwait(false);
        return watch.Elapsed;
    }

    /// <summary>SIGINT to every process, then waits (up to 30 s each, then kills) until they have exited.</summary>
    public async Task StopAsync()
    {
        foreach (var process in _processes.Where(p => !p.HasExited))
        {
            using var signal = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]);
            await signal.WaitForExitAsync().ConfigureAwait(false);
        }

        foreach (var process in _processes)
        {
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
        }

        _processes.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>Kills whatever still runs (a harness that failed before stopping it).</summary>
    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        _processes.Clear();
    }

    private async Task StartProcessesAsync()
    {
        var common = new List<string> { "--silent", "--disableTelemetry" };
        common.AddRange(_options.Location is { } location ? ["--location", location] : ["--inMemoryPersistence"]);
        if (_options.SeparateServices)
        {
            Start(["table", "main.js"], [.. common, "--tableHost", "127.0.0.1", "--tablePort", Port(TablePort)]);
            Start(["queue", "main.js"], [.. common, "--queueHost", "127.0.0.1", "--queuePort", Port(QueuePort)]);
            Start(["blob", "main.js"], [.. common, "--blobHost", "127.0.0.1", "--blobPort", Port(BlobPort)]);
        }
        else
        {
            Start(["azurite.js"], [.. common, .. AzuriteProcess.LoopbackArguments(BlobPort, QueuePort, TablePort)]);
        }

        await Poll.UntilAsync(
            async () =>
            {
                if (_processes.FirstOrDefault(p => p.HasExited) is { } exited)
                {
                    throw new InvalidOperationException($"An Azurite process exited with code {exited.ExitCode} while starting (ports {BlobPort}/{QueuePort}/{TablePort}).");
                }

                return await FreePort.IsListeningAsync(TablePort).ConfigureAwait(false)
                       && await FreePort.IsListeningAsync(QueuePort).ConfigureAwait(false)
                       && await FreePort.IsListeningAsync(BlobPort).ConfigureAwait(false);
            },
            "Azurite to listen",
            TimeSpan.FromSeconds(60)).ConfigureAwait(false);
    }

    private void Start(string[] entryPoint, IEnumerable<string> arguments)
    {
        var node = new List<string>();
        if (_options.IndexedPointLookups)
        {
            node.AddRange(["--require", RepositoryPaths.Combine("bench", "azurite", "point-lookups.js")]);
        }

        node.Add(RepositoryPaths.Combine(["node_modules", "azurite", "dist", "src", .. entryPoint]));
        _processes.Add(AzuriteProcess.Start("node", [.. node, .. arguments]));
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}

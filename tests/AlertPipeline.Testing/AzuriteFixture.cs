using System.Diagnostics;
using System.Globalization;

namespace AlertPipeline.Testing;

/// <summary>
/// A real Azurite (from the repository's package.json), in memory, on free loopback ports. One per test process:
/// started on first use, stopped when the process exits. Tests use unique queue and table names
/// (<see cref="UniqueName"/>), so they can share it and run in parallel.
/// </summary>
public sealed class AzuriteFixture
{
    private static readonly Lazy<Task<AzuriteFixture>> LazyShared = new(() => StartAsync());
    private readonly Process _process;

    private AzuriteFixture(Process process, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public static Task<AzuriteFixture> SharedAsync() => LazyShared.Value;

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    /// <summary>Azurite's well-known development account (public, documented with the emulator).</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The development account's key (public, the same in every Azurite).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public string ConnectionString => AzuriteProcess.ConnectionString(BlobPort, QueuePort, TablePort);

    /// <summary>A queue- and table-safe unique name: the (lowercase, alphanumeric) prefix and 20 hex digits.</summary>
    public static string UniqueName(string prefix = "t") => $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 20)];

    /// <summary>Starts a dedicated Azurite (for tests that must own theirs, e.g. to stop it). Dispose with <see cref="Stop"/>.</summary>
    public static async Task<AzuriteFixture> StartAsync()
    {
        var azurite = RepositoryPaths.Combine("node_modules", ".bin", "azurite");
        if (!File.Exists(azurite))
        {
            await RunNpmCiAsync().ConfigureAwait(false);
        }

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            int blob = FreePort.Next(), queue = FreePort.Next(), table = FreePort.Next();
            // Azurite runs under a small shell watchdog that stops it when this test process is gone, even if
            // ProcessExit never runs (a test host killed by the runner); Stop() still kills exactly this tree.
            var process = AzuriteProcess.Start(
                "/bin/sh",
                [
                    "-c", WatchdogScript, "azurite-watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), azurite,
                    "--silent", "--inMemoryPersistence", "--disableTelemetry", .. AzuriteProcess.LoopbackArguments(blob, queue, table),
                ]);
            var fixture = new AzuriteFixture(process, blob, queue, table);
            try
            {
                await AzuriteProcess.WaitUntilListeningAsync(process, blob, queue, table).ConfigureAwait(false);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => fixture.Stop();
                return fixture;
            }
            catch (Exception ex)
            {
                last = ex;
                fixture.Stop();
            }
        }

        throw new InvalidOperationException("Azurite did not start after 3 attempts.", last);
    }

    private const string WatchdogScript = """
        parent=$1; shift
        "$@" &
        child=$!
        trap 'kill $child 2>/dev/null' EXIT INT TERM
        while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1; done
        """;

    /// <summary>Stops exactly the process this fixture started (and its children).</summary>
    public void Stop()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static async Task RunNpmCiAsync()
    {
        var psi = new ProcessStartInfo("npm", "ci --no-audit --no-fund")
        {
            WorkingDirectory = RepositoryPaths.Root,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var npm = Process.Start(psi) ?? throw new InvalidOperationException("Could not run npm ci.");
        var stderr = npm.StandardError.ReadToEndAsync();
        await npm.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await npm.WaitForExitAsync().ConfigureAwait(false);
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci failed ({npm.ExitCode}): {await stderr.ConfigureAwait(false)}");
        }
    }
}

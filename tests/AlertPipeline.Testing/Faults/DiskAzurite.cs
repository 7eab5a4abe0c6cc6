using System.Diagnostics;
using System.Net.Sockets;

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

    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;" +
        $"AccountName={AzuriteFixture.AccountName};" +
        $"AccountKey={AzuriteFixture.AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AzuriteFixture.AccountName};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{AzuriteFixture.AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AzuriteFixture.AccountName};";

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
        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     RepositoryPaths.Combine("node_modules", "azurite", "dist", "src", "azurite.js"),
                     "--silent", "--disableTelemetry", "--location", Location,
                     "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                     "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--tablePort", TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start Azurite.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await Poll.UntilAsync(
            async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} while starting (ports {BlobPort}/{QueuePort}/{TablePort}).");
                }

                return await IsOpenAsync(QueuePort).ConfigureAwait(false)
                       && await IsOpenAsync(TablePort).ConfigureAwait(false)
                       && await IsOpenAsync(BlobPort).ConfigureAwait(false);
            },
            "Azurite to listen",
            TimeSpan.FromSeconds(60)).ConfigureAwait(false);
    }

    private static async Task<bool> IsOpenAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

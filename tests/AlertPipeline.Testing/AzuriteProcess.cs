using System.Diagnostics;
using System.Globalization;

namespace AlertPipeline.Testing;

/// <summary>
/// What every Azurite the tests start shares, in memory (<see cref="AzuriteFixture"/>) or on disk
/// (<see cref="Faults.HarnessAzurite"/>): the loopback host and port arguments, the connection string of the development
/// account, starting the process with its output drained, and waiting (bounded) until all three services listen.
/// </summary>
internal static class AzuriteProcess
{
    public static IEnumerable<string> LoopbackArguments(int blobPort, int queuePort, int tablePort) =>
    [
        "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
        "--blobPort", blobPort.ToString(CultureInfo.InvariantCulture),
        "--queuePort", queuePort.ToString(CultureInfo.InvariantCulture),
        "--tablePort", tablePort.ToString(CultureInfo.InvariantCulture),
    ];

    public static string ConnectionString(int blobPort, int queuePort, int tablePort) =>
        "DefaultEndpointsProtocol=http;" +
        $"AccountName={AzuriteFixture.AccountName};" +
        $"AccountKey={AzuriteFixture.AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AzuriteFixture.AccountName};" +
        $"QueueEndpoint=http://127.0.0.1:{queuePort}/{AzuriteFixture.AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{tablePort}/{AzuriteFixture.AccountName};";

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/> in the repository root, its output read and dropped.</summary>
    public static Process Start(string fileName, IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in arguments)
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start Azurite.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits up to 60 s until the queue, table and blob ports accept connections; fails at once if Azurite exits.</summary>
    public static Task WaitUntilListeningAsync(Process process, int blobPort, int queuePort, int tablePort) =>
        Poll.UntilAsync(
            async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} while starting (ports {blobPort}/{queuePort}/{tablePort}).");
                }

                return await FreePort.IsListeningAsync(queuePort).ConfigureAwait(false)
                       && await FreePort.IsListeningAsync(tablePort).ConfigureAwait(false)
                       && await FreePort.IsListeningAsync(blobPort).ConfigureAwait(false);
            },
            "Azurite to listen",
            TimeSpan.FromSeconds(60));
}

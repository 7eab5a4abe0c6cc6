using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AlertPipeline.Testing;

namespace AlertPipeline.IntegrationTests.Functions;

/// <summary>
/// scripts/publish.sh builds the zip Azure deploys for a dotnet-isolated app, and the published worker starts the way the
/// Functions host starts it: it dials the host's gRPC endpoint (an HTTP/2 connection) given by <c>--functions-uri</c>.
/// The one slow test here (a publish takes about a minute).
/// </summary>
public sealed class PublishTests : IDisposable
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "ap-publish-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    [Fact]
    public async Task PublishScript_LaysOutTheIsolatedApp_AndThePublishedWorkerDialsTheHost()
    {
        await RunPublishScriptAsync();

        var appRoot = Path.Combine(_output, "app");
        using (var zip = ZipFile.OpenRead(Path.Combine(_output, "alertpipeline-app.zip")))
        {
            var entries = zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToList();
            entries.Should().Contain(["host.json", "functions.metadata", "worker.config.json", "AlertPipeline.Functions.dll", "AlertPipeline.Core.dll"]);
            entries.Should().Contain(e => e.StartsWith(".azurefunctions/", StringComparison.Ordinal) && e.EndsWith("Microsoft.Azure.WebJobs.Extensions.Storage.Queues.dll", StringComparison.Ordinal),
                "the host loads the queue extension from the app's .azurefunctions folder");
            entries.Should().NotContain(e => e.StartsWith("functions/", StringComparison.Ordinal) || e.EndsWith("function.json", StringComparison.Ordinal));
            entries.Should().NotContain("local.settings.json");
        }

        BuiltFunctionApp.Read(Path.Combine(appRoot, "functions.metadata")).Select(f => (f.Name, f.TriggerType))
            .Should().BeEquivalentTo(BuiltFunctionApp.Functions.Select(f => (f.Name, f.TriggerType)), "the published metadata is the build's");
        File.ReadAllText(Path.Combine(appRoot, "host.json")).Should().Be(File.ReadAllText(RepositoryPaths.Combine("host.json")));

        await WorkerDialsTheHostAsync(appRoot);
    }

    /// <summary>Starts the worker as the host does (worker.config.json: <c>dotnet AlertPipeline.Functions.dll</c> plus the --functions-* switches) against a listener standing in for the host's gRPC server.</summary>
    private static async Task WorkerDialsTheHostAsync(string appRoot)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string[] arguments =
        [
            Path.Combine(appRoot, "AlertPipeline.Functions.dll"), "--functions-uri", $"http://127.0.0.1:{port}/", "--functions-worker-id", Guid.NewGuid().ToString(),
            "--functions-request-id", Guid.NewGuid().ToString(), "--functions-grpc-max-message-length", "2147483647",
        ];
        // The app settings of the committed template (as a local host passes them), plus what the host adds itself.
        using var template = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine("local.settings.json.template")));
        var environment = template.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
        environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appRoot;
        environment["FUNCTIONS_WORKER_DIRECTORY"] = appRoot;
        using var worker = ChildProcess.StartQuiet("dotnet", arguments, appRoot, environment);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var connection = await listener.AcceptTcpClientAsync(timeout.Token);
            var preface = new byte[24];
            await connection.GetStream().ReadExactlyAsync(preface, timeout.Token);
            Encoding.ASCII.GetString(preface).Should().Be("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "the worker opens the gRPC channel (cleartext HTTP/2) to the host");
        }
        finally
        {
            if (!worker.HasExited)
            {
                worker.Kill(entireProcessTree: true);
            }

            await worker.WaitForExitAsync();
        }
    }

    private async Task RunPublishScriptAsync()
    {
        var psi = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepositoryPaths.Root,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(RepositoryPaths.Combine("scripts", "publish.sh"));
        psi.ArgumentList.Add(_output);
        using var publish = Process.Start(psi)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        try
        {
            await publish.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            publish.Kill(entireProcessTree: true);
            throw new TimeoutException("scripts/publish.sh did not finish within 8 minutes.");
        }

        publish.ExitCode.Should().Be(0, $"scripts/publish.sh failed:\n{await stdout}\n{await stderr}");
    }
}

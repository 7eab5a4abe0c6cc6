using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using AlertPipeline.CustomHandler.Configuration;
using AlertPipeline.Testing;

namespace AlertPipeline.IntegrationTests.Functions;

/// <summary>
/// scripts/publish.sh builds the deployable app; the published handler then starts the way the Functions host starts it
/// (host.json's command line with FUNCTIONS_CUSTOMHANDLER_PORT expanded) and answers the start-up probe and an HTTP function.
/// The one slow test here (a self-contained single-file publish takes about a minute).
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
    public async Task PublishScript_LaysOutTheApp_AndThePublishedHandlerStartsAsTheHostStartsIt()
    {
        await RunPublishScriptAsync();

        var appRoot = Path.Combine(_output, "app");
        var layout = FunctionAppLayout.Load(appRoot);
        layout.Functions.Select(f => f.Name).Should().BeEquivalentTo(FunctionAppLayout.Load(RepositoryPaths.Root).Functions.Select(f => f.Name));
        File.Exists(Path.Combine(appRoot, "handler", "AlertPipeline.Functions")).Should().BeTrue();
        using (var zip = ZipFile.OpenRead(Path.Combine(_output, "alertpipeline-app.zip")))
        {
            zip.Entries.Select(e => e.FullName).Should().Contain(["host.json", "HealthCheck/function.json", "handler/AlertPipeline.Functions"]);
        }

        var port = FreePort.Next();
        var environment = new Dictionary<string, string> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var start = layout.ResolveHandlerStartInfo(name => environment.GetValueOrDefault(name));
        start.FileName.Should().Be(Path.Combine(appRoot, "handler", "AlertPipeline.Functions"));

        using var handler = ChildProcess.StartQuiet(start.FileName, start.Arguments, start.WorkingDirectory, environment);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            await Poll.UntilAsync(async () => handler.HasExited ? throw new InvalidOperationException($"The handler exited with {handler.ExitCode}.") : await AnswersAsync(client, "/"),
                "the published handler to answer GET /", TimeSpan.FromSeconds(30));

            using var health = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
            health.StatusCode.Should().Be(HttpStatusCode.OK);
            (await health.Content.ReadAsStringAsync()).Should().Contain("\"status\":\"ok\"");
        }
        finally
        {
            handler.Kill(entireProcessTree: true);
            await handler.WaitForExitAsync();
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

    private static async Task<bool> AnswersAsync(HttpClient client, string path)
    {
        try
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}

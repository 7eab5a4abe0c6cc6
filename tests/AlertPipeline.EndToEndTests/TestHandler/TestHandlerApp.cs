using System.Diagnostics;
using System.Globalization;
using System.Net;
using AlertPipeline.LocalHost.Configuration;
using AlertPipeline.Testing;

namespace AlertPipeline.EndToEndTests.TestHandler;

/// <summary>
/// The built test function app (tests/AlertPipeline.TestHandler: its app/ folder is copied next to the dll) and a way to
/// start its handler exactly as the Functions host does: host.json's command line, FUNCTIONS_CUSTOMHANDLER_PORT set and
/// expanded, then GET / polled until it answers.
/// </summary>
public sealed class TestHandlerApp : IAsyncDisposable
{
    private readonly Process _process;

    private TestHandlerApp(Process process, int port)
    {
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>
    /// The app root of the build matching this test assembly's configuration:
    /// <c>tests/AlertPipeline.TestHandler/bin/&lt;Configuration&gt;/net10.0/app</c>.
    /// </summary>
    public static string AppRoot
    {
        get
        {
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = framework.Parent!.Name;
            return RepositoryPaths.Combine("tests", "AlertPipeline.TestHandler", "bin", configuration, framework.Name, "app");
        }
    }

    public int Port { get; }

    /// <summary>A client for http://127.0.0.1:{Port}.</summary>
    public HttpClient Client { get; }

    /// <summary>Loads the layout with the given app settings (e.g. TestQueuePrefix).</summary>
    public static FunctionAppLayout Load(IReadOnlyDictionary<string, string> appSettings) =>
        FunctionAppLayout.Load(AppRoot, name => appSettings.GetValueOrDefault(name));

    public static async Task<TestHandlerApp> StartAsync(FunctionAppLayout layout)
    {
        var port = FreePort.Next();
        var environment = new Dictionary<string, string>
        {
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["FUNCTIONS_APP_ROOT_PATH"] = layout.ScriptRoot,
        };
        var start = layout.ResolveHandlerStartInfo(name => environment.GetValueOrDefault(name) ?? Environment.GetEnvironmentVariable(name));
        var process = ChildProcess.StartQuiet(start.FileName, start.Arguments, start.WorkingDirectory, environment);
        var app = new TestHandlerApp(process, port);
        try
        {
            await Poll.UntilAsync(
                async () => process.HasExited
                    ? throw new InvalidOperationException($"The test handler exited with {process.ExitCode} while starting.")
                    : await app.AnswersProbeAsync(),
                "the test handler to answer GET /",
                TimeSpan.FromSeconds(30));
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private async Task<bool> AnswersProbeAsync()
    {
        try
        {
            using var response = await Client.GetAsync(new Uri("/", UriKind.Relative));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}

using System.Diagnostics;
using AlertPipeline.LocalHost;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.LocalHost;

/// <summary>A handler that never comes up stops start-up with a clear error, and leaves nothing running.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class StartupTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("localhost-startup").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private FunctionsLocalHost Host(string executable, string[] arguments, TimeSpan startTimeout, CapturedLogs logs)
    {
        var hostJson = new System.Text.Json.Nodes.JsonObject
        {
            ["version"] = "2.0",
            ["customHandler"] = new System.Text.Json.Nodes.JsonObject
            {
                ["description"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["defaultExecutablePath"] = executable,
                    ["arguments"] = new System.Text.Json.Nodes.JsonArray(arguments.Select(a => (System.Text.Json.Nodes.JsonNode?)a).ToArray()),
                },
            },
        };
        File.WriteAllText(Path.Combine(_root, "host.json"), hostJson.ToJsonString());
        return new FunctionsLocalHost(new FunctionsLocalHostOptions
        {
            ScriptRoot = _root,
            HandlerStartTimeout = startTimeout,
            LoggerFactory = logs.Factory,
            IncludeEnvironmentVariables = false,
        });
    }

    [Fact]
    public async Task StartAsync_HandlerExitsAtOnce_ClearError()
    {
        using var logs = new CapturedLogs(output);
        await using var host = Host("dotnet", [Path.Combine(_root, "missing.dll")], TimeSpan.FromSeconds(30), logs);

        var error = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<LocalHostConfigurationException>();

        error.Which.Message.Should().Contain("exited with code").And.Contain("before answering GET");
    }

    [Fact]
    public async Task StartAsync_HandlerNeverAnswers_TimesOutAndKillsIt()
    {
        using var logs = new CapturedLogs(output);
        await using var host = Host("sleep", ["60"], TimeSpan.FromSeconds(1), logs);

        var watch = Stopwatch.StartNew();
        var error = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<LocalHostConfigurationException>();

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15));
        error.Which.Message.Should().Contain("did not answer GET").And.Contain("within 1 s");
        var pid = int.Parse(logs.Events(200).Single().Property("ProcessId")!, System.Globalization.CultureInfo.InvariantCulture);
        await Testing.Poll.UntilAsync(() => !IsRunning(pid), "the unanswering handler to be killed", TimeSpan.FromSeconds(10));
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

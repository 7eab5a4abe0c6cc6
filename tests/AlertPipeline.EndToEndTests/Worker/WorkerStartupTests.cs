using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using AlertPipeline.EndToEndTests.LocalHost;
using AlertPipeline.LocalHost;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Worker;

/// <summary>
/// A worker that never comes up stops start-up with a clear error and leaves nothing running (moved from the
/// custom-handler LocalHost/StartupTests): an app folder with worker.config.json and functions.metadata whose worker
/// command exits at once or never connects.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class WorkerStartupTests(ITestOutputHelper output) : IDisposable
{
    private const int WorkerStarted = 220;
    private readonly string _root = Directory.CreateTempSubdirectory("localhost-worker-startup").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task StartAsync_WorkerExitsAtOnce_ClearError()
    {
        using var logs = new CapturedLogs(output);
        await using var host = Host("dotnet", [], "missing.dll", TimeSpan.FromSeconds(30), logs);

        var watch = Stopwatch.StartNew();
        var error = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<LocalHostConfigurationException>();

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(25), "an exited worker is noticed without waiting for the start timeout");
        error.Which.Message.Should().Contain("Could not start the worker missing.dll").And.Contain("exited (code");
    }

    [Fact]
    public async Task StartAsync_WorkerNeverConnects_TimesOutAndKillsIt()
    {
        using var logs = new CapturedLogs(output);
        // sh -c 'sleep 60' ignores the worker path and the --functions-* switches after it: a worker that never connects.
        await using var host = Host("/bin/sh", ["-c", "sleep 60"], "never.dll", TimeSpan.FromSeconds(1), logs);

        var watch = Stopwatch.StartNew();
        var error = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<LocalHostConfigurationException>();

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15));
        error.Which.Message.Should().Contain("did not complete the start sequence within 1 s");
        var pid = int.Parse(logs.Events(WorkerStarted).Single().Property("ProcessId")!, CultureInfo.InvariantCulture);
        await Poll.UntilAsync(() => !IsRunning(pid), "the silent worker to be killed", TimeSpan.FromSeconds(10));
    }

    private FunctionsLocalHost Host(string executable, string[] arguments, string workerPath, TimeSpan startTimeout, CapturedLogs logs)
    {
        var description = new JsonObject
        {
            ["language"] = "dotnet-isolated",
            ["defaultExecutablePath"] = executable,
            ["arguments"] = new JsonArray([.. arguments.Select(a => (JsonNode?)a)]),
            ["defaultWorkerPath"] = workerPath,
            ["workerIndexing"] = "true",
        };
        File.WriteAllText(Path.Combine(_root, "worker.config.json"), new JsonObject { ["description"] = description }.ToJsonString());
        File.WriteAllText(Path.Combine(_root, "functions.metadata"), "[]");
        File.WriteAllText(Path.Combine(_root, "host.json"), """{"version":"2.0"}""");
        return new FunctionsLocalHost(new FunctionsLocalHostOptions
        {
            ScriptRoot = _root,
            WorkerStartTimeout = startTimeout,
            LoggerFactory = logs.Factory,
            IncludeEnvironmentVariables = false,
        });
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

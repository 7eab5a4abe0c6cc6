using System.Text.Json;
using AlertPipeline.EndToEndTests.LocalHost;
using AlertPipeline.LocalHost;
using AlertPipeline.Testing;

namespace AlertPipeline.EndToEndTests.Worker;

/// <summary>What the TestWorker's queue functions write (tests/AlertPipeline.TestWorker/Observation.cs).</summary>
public sealed record WorkerObservation(
    string Function, string Text, string? Id, long DequeueCount, string? InsertionTime, string? ExpirationTime, string? NextVisibleTime, string? PopReceipt)
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static WorkerObservation Parse(string json) => JsonSerializer.Deserialize<WorkerObservation>(json, Web)!;
}

/// <summary>
/// The isolated-worker test app (tests/AlertPipeline.TestWorker) as built, run unmodified from its build folder, with
/// settings that give every queue a unique prefix and disable every function but the ones a test names (as
/// <c>AzureWebJobs.&lt;Name&gt;.Disabled</c> does in Azure).
/// </summary>
public sealed class TestWorkerApp(AzuriteFixture azurite, IReadOnlyList<string> functions)
{
    public static readonly string[] AllFunctions =
        ["NoOp", "Record", "MultiOutput", "FanOutArray", "FailTimes", "CrashOnce", "Slow", "LogLines", "Tick", "Echo"];

    /// <summary>The test worker's build output (the app folder: worker.config.json, functions.metadata, host.json, the dll).</summary>
    public static string AppFolder => RepositoryPaths.Combine("tests", "AlertPipeline.TestWorker", "bin", LocalHostBuild.Configuration, "net10.0");

    public string QueuePrefix { get; } = AzuriteFixture.UniqueName("wk");

    public string ConnectionString => azurite.ConnectionString;

    public static TestWorkerApp Create(AzuriteFixture azurite, params string[] functions)
    {
        if (!File.Exists(Path.Combine(AppFolder, "functions.metadata")))
        {
            throw new InvalidOperationException($"The test worker is not built at {AppFolder}; build tests/AlertPipeline.TestWorker -c {LocalHostBuild.Configuration}.");
        }

        return new TestWorkerApp(azurite, functions);
    }

    /// <summary>The queue <c>{prefix}-{suffix}</c>.</summary>
    public string Queue(string suffix) => $"{QueuePrefix}-{suffix}";

    public Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["AzureWebJobsStorage"] = ConnectionString,
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["TestQueuePrefix"] = QueuePrefix,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__AlertPipeline.TestWorker"] = "Information",
        };
        foreach (var function in AllFunctions.Except(functions, StringComparer.OrdinalIgnoreCase))
        {
            settings[$"AzureWebJobs.{function}.Disabled"] = "true";
        }

        return settings;
    }

    public FunctionsLocalHost CreateHost(CapturedLogs logs, Action<FunctionsLocalHostOptions>? configure = null)
    {
        var options = new FunctionsLocalHostOptions
        {
            ScriptRoot = AppFolder,
            HttpPort = 0,
            LoggerFactory = logs.Factory,
            IncludeEnvironmentVariables = false,
            ShutdownTimeout = TimeSpan.FromSeconds(20),
        };
        foreach (var (key, value) in Settings())
        {
            options.Settings[key] = value;
        }

        configure?.Invoke(options);
        return new FunctionsLocalHost(options);
    }
}

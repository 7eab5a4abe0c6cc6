using System.Text.Json;
using System.Text.Json.Nodes;
using AlertPipeline.LocalHost;
using AlertPipeline.Testing;

namespace AlertPipeline.EndToEndTests.LocalHost;

/// <summary>
/// The test handler app (tests/AlertPipeline.TestHandler, built next to these tests) laid out for one test: a fresh
/// script root holding the chosen function folders and a host.json with short polling intervals, plus settings giving
/// every queue a unique prefix.
/// </summary>
public sealed class TestHandlerApp : IDisposable
{
    private TestHandlerApp(string scriptRoot, string queuePrefix, string connectionString)
    {
        ScriptRoot = scriptRoot;
        QueuePrefix = queuePrefix;
        ConnectionString = connectionString;
    }

    /// <summary>The build configuration of these tests (Debug or Release): the handler was built with the same one.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>The test handler's build output (bin/&lt;Configuration&gt;/net10.0).</summary>
    public static string HandlerOutput => RepositoryPaths.Combine("tests", "AlertPipeline.TestHandler", "bin", Configuration, "net10.0");

    public static string HandlerDll => Path.Combine(HandlerOutput, "AlertPipeline.TestHandler.dll");

    /// <summary>The shipped test app (host.json + every function folder) as built.</summary>
    public static string BuiltAppFolder => Path.Combine(HandlerOutput, "app");

    /// <summary>The local host's own build output, for running it as a separate process.</summary>
    public static string LocalHostDll => RepositoryPaths.Combine("src", "AlertPipeline.LocalHost", "bin", Configuration, "net10.0", "AlertPipeline.LocalHost.dll");

    public string ScriptRoot { get; }

    public string QueuePrefix { get; }

    public string ConnectionString { get; }

    /// <summary>
    /// A script root with <paramref name="functions"/> (folder names under app/) and a host.json whose queue settings are
    /// the test defaults (batchSize 16, newBatchThreshold 8, maxPollingInterval 200 ms, maxDequeueCount 3) changed by
    /// <paramref name="configureQueues"/>.
    /// </summary>
    public static TestHandlerApp Create(AzuriteFixture azurite, string[] functions, Action<JsonObject>? configureQueues = null)
    {
        if (!File.Exists(HandlerDll))
        {
            throw new InvalidOperationException($"The test handler is not built at {HandlerDll}; build tests/AlertPipeline.TestHandler -c {Configuration}.");
        }

        var root = Path.Combine(Path.GetTempPath(), "alertpipeline-localhost-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        foreach (var function in functions)
        {
            var target = Directory.CreateDirectory(Path.Combine(root, function));
            File.Copy(Path.Combine(BuiltAppFolder, function, "function.json"), Path.Combine(target.FullName, "function.json"));
        }

        var queues = new JsonObject
        {
            ["batchSize"] = 16,
            ["newBatchThreshold"] = 8,
            ["maxPollingInterval"] = "00:00:00.200",
            ["visibilityTimeout"] = "00:00:00",
            ["maxDequeueCount"] = 3,
            ["messageEncoding"] = "base64",
        };
        configureQueues?.Invoke(queues);
        var host = new JsonObject
        {
            ["version"] = "2.0",
            ["customHandler"] = new JsonObject
            {
                ["description"] = new JsonObject
                {
                    ["defaultExecutablePath"] = "dotnet",
                    ["workingDirectory"] = string.Empty,
                    ["arguments"] = new JsonArray(HandlerDll, "--urls", "http://127.0.0.1:%FUNCTIONS_CUSTOMHANDLER_PORT%"),
                },
                ["enableForwardingHttpRequest"] = true,
            },
            ["extensionBundle"] = new JsonObject { ["id"] = "Microsoft.Azure.Functions.ExtensionBundle", ["version"] = "[4.*, 5.0.0)" },
            ["extensions"] = new JsonObject
            {
                ["queues"] = queues,
                ["serviceBus"] = new JsonObject { ["maxConcurrentCalls"] = 16, ["maxAutoLockRenewalDuration"] = "00:05:00" },
                ["http"] = new JsonObject { ["routePrefix"] = "api" },
            },
        };
        File.WriteAllText(Path.Combine(root, "host.json"), host.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return new TestHandlerApp(root, AzuriteFixture.UniqueName("lh"), azurite.ConnectionString);
    }

    /// <summary>The app settings of a test run: Azurite for storage and Service Bus, the unique queue prefix, a quiet handler.</summary>
    public Dictionary<string, string?> Settings() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["AzureWebJobsStorage"] = ConnectionString,
        ["ServiceBusConnection"] = ConnectionString,
        ["TestQueuePrefix"] = QueuePrefix,
        ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
    };

    /// <summary>A local host for this app (not started).</summary>
    public FunctionsLocalHost CreateHost(CapturedLogs logs, Action<FunctionsLocalHostOptions>? configure = null)
    {
        var options = new FunctionsLocalHostOptions
        {
            ScriptRoot = ScriptRoot,
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

    /// <summary>The queue <c>{prefix}-{suffix}</c>.</summary>
    public string Queue(string suffix) => $"{QueuePrefix}-{suffix}";

    public void Dispose()
    {
        try
        {
            Directory.Delete(ScriptRoot, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}

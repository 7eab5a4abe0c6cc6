using AlertPipeline.LocalHost.Configuration;

namespace AlertPipeline.UnitTests.LocalHost;

/// <summary>A throw-away function app: host.json in a folder, plus function definitions (function.json text, as the worker reports them).</summary>
internal sealed class TestAppFolder : IDisposable
{
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    private readonly List<(string Name, string Json)> _functions = [];

    public TestAppFolder(string hostJson = DefaultHostJson)
    {
        Root = Directory.CreateTempSubdirectory("localhost-app").FullName;
        System.IO.File.WriteAllText(Path.Combine(Root, "host.json"), hostJson);
    }

    public const string DefaultHostJson = """
        {
          "version": "2.0",
          "extensions": { "queues": { "batchSize": 8, "newBatchThreshold": 3, "maxDequeueCount": 4, "visibilityTimeout": "00:00:05", "maxPollingInterval": "00:00:02" },
                          "serviceBus": { "maxConcurrentCalls": 6 } }
        }
        """;

    public string Root { get; }

    public TestAppFolder Function(string name, string functionJson)
    {
        _functions.Add((name, functionJson));
        return this;
    }

    /// <summary>The app as the local host builds it from the worker's metadata (<see cref="FunctionAppLayout.Create"/>).</summary>
    public FunctionAppLayout Layout(Func<string, string?>? appSettings = null) =>
        FunctionAppLayout.Create(
            Root,
            HostJson.Load(Path.Combine(Root, HostJson.FileName)),
            _functions.Select(f => FunctionDefinition.Parse(f.Name, f.Json, $"{f.Name} (test metadata)", appSettings)));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

namespace AlertPipeline.UnitTests.LocalHost;

/// <summary>A throw-away function app folder: host.json plus function folders written from JSON text.</summary>
internal sealed class TestAppFolder : IDisposable
{
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    public TestAppFolder(string hostJson = DefaultHostJson)
    {
        Root = Directory.CreateTempSubdirectory("localhost-app").FullName;
        System.IO.File.WriteAllText(Path.Combine(Root, "host.json"), hostJson);
    }

    public const string DefaultHostJson = """
        {
          "version": "2.0",
          "customHandler": { "description": { "defaultExecutablePath": "handler/app", "arguments": ["--urls", "http://127.0.0.1:%FUNCTIONS_CUSTOMHANDLER_PORT%"] } },
          "extensions": { "queues": { "batchSize": 8, "newBatchThreshold": 3, "maxDequeueCount": 4, "visibilityTimeout": "00:00:05", "maxPollingInterval": "00:00:02" },
                          "serviceBus": { "maxConcurrentCalls": 6 } }
        }
        """;

    public string Root { get; }

    public TestAppFolder Function(string name, string functionJson)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Root, name));
        System.IO.File.WriteAllText(Path.Combine(folder.FullName, "function.json"), functionJson);
        return this;
    }

    public string File(string relativePath, string content = "")
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

using AlertPipeline.LocalHost;
using AlertPipeline.LocalHost.Grpc;

namespace AlertPipeline.UnitTests.LocalHost.Grpc;

public sealed class WorkerConfigTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("alertpipeline-workerconfig-").FullName;

    [Fact]
    public void Load_SdkWorkerConfig_ExecutableWorkerPathAndIndexing()
    {
        File.WriteAllText(Path.Combine(_root, WorkerConfig.FileName), """
            {"description":{"language":"dotnet-isolated","extensions":[".dll"],"defaultExecutablePath":"dotnet",
             "defaultWorkerPath":"App.dll","workerIndexing":"true","canUsePlaceholder":true}}
            """);

        var config = WorkerConfig.Load(_root);

        config.Should().BeEquivalentTo(new WorkerConfig("dotnet-isolated", "dotnet", [], "App.dll", WorkerIndexing: true));
    }

    [Fact]
    public void Load_MissingWorkerPath_NamesTheField()
    {
        File.WriteAllText(Path.Combine(_root, WorkerConfig.FileName), """{"description":{"defaultExecutablePath":"dotnet"}}""");

        var act = () => WorkerConfig.Load(_root);

        act.Should().Throw<LocalHostConfigurationException>().WithMessage("*description.defaultWorkerPath is required*");
    }

    [Fact]
    public void IsWorkerApp_NeedsWorkerConfigAndFunctionsMetadata()
    {
        File.WriteAllText(Path.Combine(_root, WorkerConfig.FileName), "{}");
        WorkerConfig.IsWorkerApp(_root).Should().BeFalse("a custom-handler app has no functions.metadata");

        File.WriteAllText(Path.Combine(_root, WorkerConfig.MetadataFileName), "[]");
        WorkerConfig.IsWorkerApp(_root).Should().BeTrue();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

using AlertPipeline.LocalHost.Configuration;

namespace AlertPipeline.UnitTests.LocalHost.Configuration;

/// <summary>Loading an app from disk: both layouts, settings, and what is wrong when it is wrong.</summary>
public sealed class FunctionAppLayoutTests : IDisposable
{
    private const string HostJsonText = """{"version":"2.0","customHandler":{"description":{"defaultExecutablePath":"handler/app"}}}""";
    private const string QueueFunction = """{"bindings":[{"name":"m","type":"queueTrigger","direction":"in","queueName":"%Prefix%-in"}]}""";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ap-layout-" + Guid.NewGuid().ToString("N"));

    public FunctionAppLayoutTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Load_RepositoryLayout_FindsFunctionsUnderFunctionsFolder()
    {
        Write("host.json", HostJsonText);
        Write("functions/FanOut/function.json", QueueFunction);
        Directory.CreateDirectory(Path.Combine(_root, "src", "Whatever"));

        var layout = FunctionAppLayout.Load(_root);

        layout.ScriptRoot.Should().Be(Path.GetFullPath(_root));
        layout.Functions.Select(f => f.Name).Should().Equal("FanOut");
        ((QueueTriggerBinding)layout.Find("fanout")!.Trigger).QueueName.Should().Be("%Prefix%-in", "without settings placeholders stay");
    }

    [Fact]
    public void Load_PublishedLayout_FindsFunctionFoldersAtTheRootAndSkipsOthers()
    {
        Write("host.json", HostJsonText);
        Write("FanOut/function.json", QueueFunction);
        Write("SendSms/function.json", """{"bindings":[{"name":"m","type":"serviceBusTrigger","direction":"in","queueName":"sms-dispatch"}]}""");
        Write("handler/app", "");

        var layout = FunctionAppLayout.Load(_root, name => name == "Prefix" ? "p1" : null);

        layout.Functions.Select(f => f.Name).Should().Equal("FanOut", "SendSms");
        ((QueueTriggerBinding)layout.Find("FanOut")!.Trigger).QueueName.Should().Be("p1-in");
        layout.ResolveHandlerStartInfo(_ => null).FileName.Should().Be(Path.Combine(Path.GetFullPath(_root), "handler", "app"));
    }

    [Fact]
    public void Load_FolderUnderFunctionsWithoutFunctionJson_NamesIt()
    {
        Write("host.json", HostJsonText);
        Directory.CreateDirectory(Path.Combine(_root, "functions", "Empty"));

        var act = () => FunctionAppLayout.Load(_root);

        act.Should().Throw<FunctionAppConfigurationException>()
            .WithMessage($"{Path.Combine(_root, "functions", "Empty", "function.json")}: does not exist*");
    }

    [Fact]
    public void Load_SameFunctionInBothLayouts_IsRefused()
    {
        Write("host.json", HostJsonText);
        Write("FanOut/function.json", QueueFunction);
        Write("functions/FanOut/function.json", QueueFunction);

        var act = () => FunctionAppLayout.Load(_root);

        act.Should().Throw<FunctionAppConfigurationException>().WithMessage("*defines function 'FanOut' again*");
    }

    [Fact]
    public void Load_NoHostJson_NamesTheFile()
    {
        Write("functions/FanOut/function.json", QueueFunction);

        var act = () => FunctionAppLayout.Load(_root);

        act.Should().Throw<FunctionAppConfigurationException>().WithMessage($"{Path.Combine(_root, "host.json")}: does not exist.");
    }

    [Fact]
    public void Load_BadFunctionJson_NamesFileAndField()
    {
        Write("host.json", HostJsonText);
        Write("functions/FanOut/function.json", """{"bindings":[{"name":"m","type":"queueTrigger","direction":"in"}]}""");

        var act = () => FunctionAppLayout.Load(_root);

        act.Should().Throw<FunctionAppConfigurationException>()
            .WithMessage($"{Path.Combine(_root, "functions", "FanOut", "function.json")}: bindings[0].queueName: is required*");
    }

    [Fact]
    public void Load_MissingAppSetting_NamesSettingAndFile()
    {
        Write("host.json", HostJsonText);
        Write("functions/FanOut/function.json", QueueFunction);

        var act = () => FunctionAppLayout.Load(_root, _ => null);

        act.Should().Throw<FunctionAppConfigurationException>().WithMessage("*FanOut*function.json: bindings[0].queueName: refers to app setting 'Prefix', which is not set.");
    }

    private void Write(string relativePath, string content)
    {
        var path = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}

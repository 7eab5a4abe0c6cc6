using AlertPipeline.LocalHost.Configuration;

namespace AlertPipeline.UnitTests.LocalHost.Configuration;

/// <summary>An app from host.json and the worker's function metadata: settings, and what is wrong when it is wrong.</summary>
public sealed class FunctionAppLayoutTests
{
    private static readonly HostJson Host = HostJson.Parse("""{"version":"2.0"}""");
    private const string QueueFunction = """{"bindings":[{"name":"m","type":"queueTrigger","direction":"in","queueName":"%Prefix%-in"}]}""";

    [Fact]
    public void Create_Functions_OrderedByNameAndFoundCaseInsensitively()
    {
        var layout = FunctionAppLayout.Create("app", Host, [Parse("SendSms", """{"bindings":[{"name":"m","type":"queueTrigger","direction":"in","queueName":"sms-dispatch"}]}"""), Parse("FanOut", QueueFunction)]);

        layout.ScriptRoot.Should().Be(Path.GetFullPath("app"));
        layout.Functions.Select(f => f.Name).Should().Equal("FanOut", "SendSms");
        ((QueueTriggerBinding)layout.Find("fanout")!.Trigger).QueueName.Should().Be("%Prefix%-in", "without settings placeholders stay");
        layout.Find("Missing").Should().BeNull();
    }

    [Fact]
    public void Parse_WithAppSettings_ResolvesPlaceholders()
    {
        var function = Parse("FanOut", QueueFunction, name => name == "Prefix" ? "p1" : null);

        ((QueueTriggerBinding)function.Trigger).QueueName.Should().Be("p1-in");
    }

    [Fact]
    public void Create_SameFunctionTwice_IsRefused()
    {
        var act = () => FunctionAppLayout.Create("app", Host, [Parse("FanOut", QueueFunction), Parse("fanout", QueueFunction)]);

        act.Should().Throw<FunctionAppConfigurationException>().WithMessage("*defines function 'fanout' again*");
    }

    [Fact]
    public void Create_InvalidFunctionName_IsRefused()
    {
        var act = () => FunctionAppLayout.Create("app", Host, [Parse("1st", QueueFunction)]);

        act.Should().Throw<FunctionAppConfigurationException>().WithMessage("*'1st' is not a valid function name*");
    }

    [Fact]
    public void Load_NoHostJson_NamesTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "ap-layout-" + Guid.NewGuid().ToString("N"), HostJson.FileName);

        var act = () => HostJson.Load(path);

        act.Should().Throw<FunctionAppConfigurationException>().WithMessage($"{path}: does not exist.");
    }

    [Fact]
    public void Parse_BadFunctionJson_NamesSourceAndField()
    {
        var act = () => Parse("FanOut", """{"bindings":[{"name":"m","type":"queueTrigger","direction":"in"}]}""");

        act.Should().Throw<FunctionAppConfigurationException>().WithMessage("FanOut metadata: bindings[0].queueName: is required*");
    }

    [Fact]
    public void Parse_MissingAppSetting_NamesSettingAndSource()
    {
        var act = () => Parse("FanOut", QueueFunction, _ => null);

        act.Should().Throw<FunctionAppConfigurationException>().WithMessage("FanOut metadata: bindings[0].queueName: refers to app setting 'Prefix', which is not set.");
    }

    private static FunctionDefinition Parse(string name, string json, Func<string, string?>? appSettings = null) =>
        FunctionDefinition.Parse(name, json, name + " metadata", appSettings);
}

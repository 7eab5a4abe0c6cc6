using System.Collections;
using AlertPipeline.LocalHost;
using AlertPipeline.LocalHost.Settings;

namespace AlertPipeline.UnitTests.LocalHost;

public sealed class AppSettingsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("localhost-settings").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string File(string json)
    {
        var path = Path.Combine(_folder, "local.settings.json");
        System.IO.File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Load_FileThenEnvironmentThenOverrides_LaterWins()
    {
        var file = File("""
            {
              "IsEncrypted": false,
              "Values": { "A": "file", "B": "file", "C": "file", "Port": 7, "Flag": true },
              "ConnectionStrings": { "Db": "Server=x" }
            }
            """);
        var environment = new Hashtable { ["B"] = "env", ["C"] = "env" };

        var settings = AppSettings.Load(file, [new("C", "override")], environment);

        settings["A"].Should().Be("file");
        settings["B"].Should().Be("env", "environment variables win over local.settings.json");
        settings["C"].Should().Be("override");
        settings["Port"].Should().Be("7");
        settings["Flag"].Should().Be("true");
        settings["ConnectionStrings:Db"].Should().Be("Server=x");
    }

    [Fact]
    public void Get_CaseInsensitiveAndColonOrDoubleUnderscore()
    {
        var settings = AppSettings.From([new("Twilio__AccountSid", "AC1"), new("Smtp:Host", "mail")]);

        settings["twilio:accountsid"].Should().Be("AC1");
        settings["SMTP__HOST"].Should().Be("mail");
        settings["Missing"].Should().BeNull();
    }

    [Fact]
    public void Load_NullOverride_RemovesSetting()
    {
        var settings = AppSettings.Load(null, [new("A", null)], new Hashtable { ["A"] = "env" });

        settings["A"].Should().BeNull();
    }

    [Fact]
    public void GetConnectionString_LooksUpNameThenAzureWebJobsPrefixThenConnectionStrings()
    {
        AppSettings.From([new("Storage", "direct")]).GetConnectionString("Storage").Should().Be("direct");
        AppSettings.From([new("AzureWebJobsStorage", "prefixed")]).GetConnectionString("Storage").Should().Be("prefixed");
        AppSettings.From([new("ConnectionStrings:Storage", "section")]).GetConnectionString("Storage").Should().Be("section");
        AppSettings.From([new("Storage", " ")]).GetConnectionString("Storage").Should().BeNull();
    }

    [Theory]
    [InlineData("AzureWebJobs.Tick.Disabled", "true", true)]
    [InlineData("AzureWebJobs.Tick.Disabled", "1", true)]
    [InlineData("AzureWebJobs__Tick__Disabled", "True", true)]
    [InlineData("AzureWebJobs.Tick.Disabled", "false", false)]
    [InlineData("AzureWebJobs.Other.Disabled", "true", false)]
    public void IsFunctionDisabled_AzureWebJobsSetting(string name, string value, bool disabled) =>
        AppSettings.From([new(name, value)]).IsFunctionDisabled("Tick").Should().Be(disabled);

    [Fact]
    public void GetPositiveInt_BadValue_NamesTheSetting()
    {
        AppSettings.From([new("N", "4")]).GetPositiveInt("N").Should().Be(4);
        AppSettings.From([]).GetPositiveInt("N").Should().BeNull();
        FluentActions.Invoking(() => AppSettings.From([new("N", "zero")]).GetPositiveInt("N"))
            .Should().Throw<LocalHostConfigurationException>().WithMessage("*N*zero*");
    }

    [Fact]
    public void Load_EncryptedFile_ClearError() =>
        FluentActions.Invoking(() => AppSettings.Load(File("""{"IsEncrypted": true, "Values": {}}""")))
            .Should().Throw<LocalHostConfigurationException>().WithMessage("*IsEncrypted is true*");

    [Fact]
    public void Load_MissingFile_ClearError() =>
        FluentActions.Invoking(() => AppSettings.Load(Path.Combine(_folder, "nope.json")))
            .Should().Throw<LocalHostConfigurationException>().WithMessage("*nope.json*does not exist*");

    [Fact]
    public void Load_InvalidJson_NamesTheLine() =>
        FluentActions.Invoking(() => AppSettings.Load(File("{\n\"Values\": {\n\"A\": }\n}")))
            .Should().Throw<LocalHostConfigurationException>().WithMessage("*not valid JSON (line 3)*");

    [Fact]
    public void Load_ObjectValue_NamesTheSetting() =>
        FluentActions.Invoking(() => AppSettings.Load(File("""{"Values": {"Nested": {"a": 1}}}""")))
            .Should().Throw<LocalHostConfigurationException>().WithMessage("*Values.Nested must be a string*");
}

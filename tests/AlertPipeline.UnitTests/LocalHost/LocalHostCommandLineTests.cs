using AlertPipeline.LocalHost;

namespace AlertPipeline.UnitTests.LocalHost;

public sealed class LocalHostCommandLineTests
{
    [Fact]
    public void Parse_Run_AllOptions()
    {
        var command = LocalHostCommandLine.Parse(
            ["run", "--script-root", "app", "--settings", "s.json", "--lease", "30s", "--port", "0", "--shutdown-timeout", "5s", "--verbose"]);

        command.ShowHelp.Should().BeFalse();
        command.Verbose.Should().BeTrue();
        command.Options.ScriptRoot.Should().Be("app");
        command.Options.SettingsFile.Should().Be(Path.GetFullPath("s.json"));
        command.Options.LeaseDuration.Should().Be(TimeSpan.FromSeconds(30));
        command.Options.HttpPort.Should().Be(0);
        command.Options.ShutdownTimeout.Should().Be(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Parse_RunAlone_AzureDefaults()
    {
        var options = LocalHostCommandLine.Parse(["run"]).Options;

        options.ScriptRoot.Should().Be(".");
        options.LeaseDuration.Should().Be(TimeSpan.FromMinutes(10));
        options.HttpPort.Should().Be(7071);
        options.SettingsFile.Should().BeNull();
    }

    [Theory]
    [InlineData]
    [InlineData("--help")]
    [InlineData("run", "-h")]
    public void Parse_HelpOrNothing_ShowsHelp(params string[] args) =>
        LocalHostCommandLine.Parse(args).ShowHelp.Should().BeTrue();

    [Theory]
    [InlineData("1500ms", 1500)]
    [InlineData("30s", 30_000)]
    [InlineData("2.5s", 2_500)]
    [InlineData("10m", 600_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("00:05:00", 300_000)]
    public void ParseDuration_Forms(string text, double milliseconds) =>
        LocalHostCommandLine.ParseDuration("--lease", text).TotalMilliseconds.Should().Be(milliseconds);

    [Theory]
    [InlineData(new[] { "start" }, "Unknown command 'start'*")]
    [InlineData(new[] { "run", "--bogus" }, "Unknown option '--bogus'*")]
    [InlineData(new[] { "run", "--script-root" }, "--script-root needs a value.")]
    [InlineData(new[] { "run", "--script-root", "--lease", "5s" }, "--script-root needs a value.")]
    [InlineData(new[] { "run", "--lease", "soon" }, "--lease takes a duration*'soon'*")]
    [InlineData(new[] { "run", "--lease", "500ms" }, "--lease must be between 1s and 7 days*")]
    [InlineData(new[] { "run", "--port", "70000" }, "--port must be a TCP port*")]
    [InlineData(new[] { "run", "--port", "-1" }, "--port must be a TCP port*")]
    public void Parse_BadInput_NamesTheOption(string[] args, string message) =>
        FluentActions.Invoking(() => LocalHostCommandLine.Parse(args)).Should().Throw<FormatException>().WithMessage(message);
}

using AlertPipeline.LocalHost.Demo;

namespace AlertPipeline.UnitTests.LocalHost;

public sealed class DemoOptionsTests
{
    [Fact]
    public void Parse_AllOptions_EventsRepeatableAndPathsAbsolute()
    {
        var options = DemoOptions.Parse(
            ["--script-root", "app", "--seed", "s.json", "--event", "a.json", "--event", "b.json", "--timeout", "90s", "--port", "8080", "--log", "l.log"]);

        options.ScriptRoot.Should().Be("app");
        options.SeedFile.Should().Be(Path.GetFullPath("s.json"));
        options.EventFiles.Should().Equal(Path.GetFullPath("a.json"), Path.GetFullPath("b.json"));
        options.Timeout.Should().Be(TimeSpan.FromSeconds(90));
        options.HttpPort.Should().Be(8080);
        options.LogFile.Should().Be(Path.GetFullPath("l.log"));
    }

    [Theory]
    [InlineData(new[] { "--seed" }, "--seed needs a value.")]
    [InlineData(new[] { "--event", "--seed", "x" }, "--event needs a value.")]
    [InlineData(new[] { "--port", "70000" }, "--port must be a TCP port (0–65535), not '70000'.")]
    [InlineData(new[] { "--timeout", "soon" }, "--timeout takes a duration such as 30s, 5m, 1500ms or 00:05:00, not 'soon'.")]
    [InlineData(new[] { "--colour", "red" }, "Unknown demo option '--colour' (see demo --help).")]
    public void Parse_BadOption_ErrorNamesIt(string[] args, string message)
    {
        var parse = () => DemoOptions.Parse(args);

        parse.Should().Throw<FormatException>().WithMessage(message);
    }
}

using AlertPipeline.LocalHost.Configuration;
using AlertPipeline.LocalHost;
using AlertPipeline.LocalHost.Handler;

namespace AlertPipeline.UnitTests.LocalHost;

public sealed class HandlerCommandTests : IDisposable
{
    private readonly TestAppFolder _app = new();

    public void Dispose() => _app.Dispose();

    private static Func<string, string?> Environment(int port) => name => name == "FUNCTIONS_CUSTOMHANDLER_PORT" ? port.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;

    [Fact]
    public void Resolve_HostJsonExecutable_AbsolutePathAndExpandedArguments()
    {
        var exe = _app.File("handler/app");

        var start = HandlerCommand.Resolve(FunctionAppLayout.Load(_app.Root), null, Environment(4321));

        start.FileName.Should().Be(exe);
        start.Arguments.Should().Equal("--urls", "http://127.0.0.1:4321");
        start.WorkingDirectory.Should().Be(_app.Root);
    }

    [Fact]
    public void Resolve_DllOverride_RunWithDotnet()
    {
        var dll = _app.File("bin/Handler.dll");

        var start = HandlerCommand.Resolve(FunctionAppLayout.Load(_app.Root), dll, Environment(5000));

        start.FileName.Should().Be("dotnet");
        start.Arguments.Should().Equal(dll, "--urls", "http://127.0.0.1:5000");
    }

    [Fact]
    public void Resolve_MissingExecutable_ErrorSuggestsHandlerOption() =>
        FluentActions.Invoking(() => HandlerCommand.Resolve(FunctionAppLayout.Load(_app.Root), null, Environment(1)))
            .Should().Throw<LocalHostConfigurationException>().WithMessage("*defaultExecutablePath 'handler/app' does not exist*--handler*");

    [Fact]
    public void Resolve_MissingOverride_Error() =>
        FluentActions.Invoking(() => HandlerCommand.Resolve(FunctionAppLayout.Load(_app.Root), Path.Combine(_app.Root, "nope.dll"), Environment(1)))
            .Should().Throw<LocalHostConfigurationException>().WithMessage("--handler: *nope.dll' does not exist*");
}

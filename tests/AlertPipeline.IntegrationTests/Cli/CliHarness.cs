using AlertPipeline.Cli;
using AlertPipeline.IntegrationTests.Api;

namespace AlertPipeline.IntegrationTests.Cli;

public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- out ---\n{Out}\n--- error ---\n{Error}";
}

/// <summary>Runs <c>alertpipeline</c> in-process: captured plain consoles, HTTP through the test server's handler.</summary>
public static class CliHarness
{
    public static Task<CliResult> RunAsync(ApiTestApp app, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        RunAsync(() => app.Factory.Server.CreateHandler(), environment, args);

    public static async Task<CliResult> RunAsync(Func<HttpMessageHandler> handler, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext
        {
            Out = CliContext.PlainConsole(output),
            Error = CliContext.PlainConsole(error),
            Environment = name => environment is not null && environment.TryGetValue(name, out var value) ? value : null,
            CreateHttpClient = () => new HttpClient(handler()),
        };
        var code = await new CliApp(context).RunAsync(args);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}

using AlertPipeline.Cli;

namespace AlertPipeline.UnitTests.Cli;

public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- out ---\n{Out}\n--- error ---\n{Error}";
}

/// <summary>Runs the CLI in-process with captured consoles, an environment of our choosing and a recording HTTP handler.</summary>
public static class CliRunner
{
    public const string Key = "apk_unit-test-key-never-printed";

    public static async Task<CliResult> RunAsync(RecordingHandler handler, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext
        {
            Out = CliContext.PlainConsole(output),
            Error = CliContext.PlainConsole(error),
            Environment = name => environment is not null && environment.TryGetValue(name, out var value) ? value : null,
            CreateHttpClient = () => new HttpClient(handler, disposeHandler: false),
        };
        var code = await new CliApp(context).RunAsync(args);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>As an organiser of union <c>u1</c> against <c>https://alerts.example.org</c>.</summary>
    public static Task<CliResult> RunAsync(RecordingHandler handler, params string[] args) =>
        RunAsync(handler, null, [.. args, "--api-url", "https://alerts.example.org", "--key", Key, "--union", "u1"]);
}

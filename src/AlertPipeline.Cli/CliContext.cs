using Spectre.Console;

namespace AlertPipeline.Cli;

/// <summary>
/// What a run of the CLI talks to: the consoles for output and errors, the environment, and how HTTP clients are made.
/// <see cref="FromProcess"/> is the real terminal; tests capture the consoles and hand in a WebApplicationFactory's client.
/// </summary>
public sealed class CliContext
{
    public required IAnsiConsole Out { get; init; }

    public required IAnsiConsole Error { get; init; }

    /// <summary>Environment variables (<c>ALERTPIPELINE_API_URL</c>, <c>ALERTPIPELINE_API_KEY</c>, <c>AzureWebJobsStorage</c>…).</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Makes the HTTP client of one run (disposed at its end).</summary>
    public Func<HttpClient> CreateHttpClient { get; init; } = () => new HttpClient { Timeout = TimeSpan.FromMinutes(5) };

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public static CliContext FromProcess() => new()
    {
        Out = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Out) }),
        Error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) }),
    };

    /// <summary>A plain console over <paramref name="writer"/>: no colours, no cursor moves, wide lines (for capture and pipes).</summary>
    public static IAnsiConsole PlainConsole(TextWriter writer, int width = 200)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        return console;
    }
}

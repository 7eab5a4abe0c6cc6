using System.CommandLine;

namespace AlertPipeline.Cli.Commands;

/// <summary>Options every command takes (recursive: they may follow the command).</summary>
public static class GlobalOptions
{
    public static Option<string> ApiUrl { get; } = new("--api-url")
    {
        Description = $"The function app's URL, e.g. https://alerts.example.org (default: ${CliApp.ApiUrlVariable}); '/api' is added.",
        Recursive = true,
    };

    public static Option<string> Key { get; } = new("--key")
    {
        Description = $"The API key (default: ${CliApp.ApiKeyVariable}; prefer the variable: options show in the process list). Never printed.",
        Recursive = true,
    };

    public static Option<string> Union { get; } = new("--union")
    {
        Description = $"The union's id (default: ${CliApp.UnionVariable}).",
        Recursive = true,
    };

    public static Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the answer as JSON (for scripts) instead of tables.",
        Recursive = true,
    };
}

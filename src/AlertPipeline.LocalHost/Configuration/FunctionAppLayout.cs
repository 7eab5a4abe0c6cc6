namespace AlertPipeline.LocalHost.Configuration;

/// <summary>
/// A function app on disk: host.json at <see cref="ScriptRoot"/> and one folder per function holding its function.json,
/// either directly under the root (the published layout) or under <c>&lt;root&gt;/functions/</c> (the repository layout).
/// </summary>
public sealed class FunctionAppLayout
{
    /// <summary>The folder of function folders in the repository layout.</summary>
    public const string FunctionsFolder = "functions";

    private FunctionAppLayout(string scriptRoot, HostJson host, IReadOnlyList<FunctionDefinition> functions)
    {
        ScriptRoot = scriptRoot;
        Host = host;
        Functions = functions;
    }

    /// <summary>The app's root folder (absolute).</summary>
    public string ScriptRoot { get; }

    public HostJson Host { get; }

    /// <summary>Every function, ordered by name.</summary>
    public IReadOnlyList<FunctionDefinition> Functions { get; }

    /// <summary>
    /// Loads host.json and every function folder. A folder directly under the root counts as a function only if it holds a
    /// function.json (so <c>handler/</c>, <c>src/</c> are skipped); every folder under <c>functions/</c> must hold one.
    /// With <paramref name="appSettings"/>, <c>%NAME%</c> in queue names and schedules is resolved (a missing setting is an
    /// error); without, placeholders are kept as written.
    /// </summary>
    public static FunctionAppLayout Load(string scriptRoot, Func<string, string?>? appSettings = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(scriptRoot);
        var root = Path.GetFullPath(scriptRoot);
        if (!Directory.Exists(root))
        {
            throw new FunctionAppConfigurationException(root, null, "is not a folder: the function app root must exist.");
        }

        var host = HostJson.Load(Path.Combine(root, HostJson.FileName));
        var functions = new Dictionary<string, FunctionDefinition>(StringComparer.OrdinalIgnoreCase);

        foreach (var directory in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(directory, FunctionDefinition.FileName)))
            {
                Add(functions, FunctionDefinition.Load(directory, appSettings));
            }
        }

        var functionsFolder = Path.Combine(root, FunctionsFolder);
        if (Directory.Exists(functionsFolder) && !functions.ContainsKey(FunctionsFolder))
        {
            foreach (var directory in Directory.EnumerateDirectories(functionsFolder).Order(StringComparer.Ordinal))
            {
                Add(functions, FunctionDefinition.Load(directory, appSettings));
            }
        }

        return new FunctionAppLayout(root, host, functions.Values.OrderBy(f => f.Name, StringComparer.Ordinal).ToArray());
    }

    /// <summary>An app whose functions come from elsewhere than function.json folders (an isolated worker's metadata).</summary>
    public static FunctionAppLayout Create(string scriptRoot, HostJson host, IEnumerable<FunctionDefinition> functions)
    {
        var byName = new Dictionary<string, FunctionDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var function in functions)
        {
            Add(byName, function);
        }

        return new FunctionAppLayout(Path.GetFullPath(scriptRoot), host, byName.Values.OrderBy(f => f.Name, StringComparer.Ordinal).ToArray());
    }

    /// <summary>The function named <paramref name="name"/> (case-insensitive), or null.</summary>
    public FunctionDefinition? Find(string name) =>
        Functions.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The command line that starts this app's handler, as the host would run it.</summary>
    public HandlerStartInfo ResolveHandlerStartInfo(Func<string, string?> environment) =>
        (Host.CustomHandler ?? throw new FunctionAppConfigurationException(Host.SourcePath, "customHandler", "is required to start a custom handler."))
        .Description.ResolveStartInfo(ScriptRoot, environment);

    private static void Add(Dictionary<string, FunctionDefinition> functions, FunctionDefinition function)
    {
        if (functions.TryGetValue(function.Name, out var existing))
        {
            throw new FunctionAppConfigurationException(
                function.SourcePath ?? function.Name, null, $"defines function '{function.Name}' again (first in {existing.SourcePath}).");
        }

        if (!IsValidFunctionName(function.Name))
        {
            throw new FunctionAppConfigurationException(
                function.SourcePath ?? function.Name, null, $"the folder name '{function.Name}' is not a valid function name (letters, digits, '-' and '_', starting with a letter).");
        }

        functions.Add(function.Name, function);
    }

    private static bool IsValidFunctionName(string name) =>
        name.Length is > 0 and <= 127 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

namespace AlertPipeline.LocalHost.Configuration;

/// <summary>
/// A function app as the local host runs it: host.json at <see cref="ScriptRoot"/> and the functions the isolated worker
/// reported (its functions.metadata, parsed by <see cref="FunctionDefinition.Parse"/>).
/// </summary>
public sealed class FunctionAppLayout
{
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

    /// <summary>The app of <paramref name="host"/> and <paramref name="functions"/>: names must be unique (case-insensitive) and valid.</summary>
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
                function.SourcePath ?? function.Name, null, $"'{function.Name}' is not a valid function name (letters, digits, '-' and '_', starting with a letter).");
        }

        functions.Add(function.Name, function);
    }

    private static bool IsValidFunctionName(string name) =>
        name.Length is > 0 and <= 127 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

using System.Reflection;
using System.Text.Json;
using AlertPipeline.Testing;

namespace AlertPipeline.IntegrationTests.Functions;

/// <summary>One function of the built app's functions.metadata: its trigger and output bindings, as the host reads them.</summary>
public sealed record BuiltFunction(string Name, string EntryPoint, string ScriptFile, JsonElement Trigger, IReadOnlyList<JsonElement> Outputs)
{
    public string TriggerType => Trigger.GetProperty("type").GetString()!;

    public string? Route => Trigger.TryGetProperty("route", out var route) ? route.GetString() : null;

    public IReadOnlyList<string> Methods =>
        Trigger.TryGetProperty("methods", out var methods) ? [.. methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant())] : [];

    public string? QueueName => Trigger.TryGetProperty("queueName", out var queue) ? queue.GetString() : null;

    public IReadOnlyList<string> OutputQueues =>
        [.. Outputs.Where(o => o.GetProperty("type").GetString() == "queue").Select(o => o.GetProperty("queueName").GetString()!)];
}

/// <summary>
/// The function app as the build leaves it (src/AlertPipeline.Functions/bin/&lt;configuration&gt;/net10.0): the worker SDK's
/// functions.metadata is the single source of truth for triggers and bindings, so tests iterate it rather than a list of
/// our own.
/// </summary>
public static class BuiltFunctionApp
{
    /// <summary>The Functions project's output folder for the configuration these tests were built with.</summary>
    public static string OutputDirectory { get; } = RepositoryPaths.Combine(
        "src", "AlertPipeline.Functions", "bin",
        typeof(BuiltFunctionApp).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release", "net10.0");

    private static readonly Lazy<IReadOnlyList<BuiltFunction>> LazyFunctions = new(() => Read(Path.Combine(OutputDirectory, "functions.metadata")));

    public static IReadOnlyList<BuiltFunction> Functions => LazyFunctions.Value;

    public static IEnumerable<BuiltFunction> HttpFunctions => Functions.Where(f => f.TriggerType == "httpTrigger");

    public static IReadOnlyList<BuiltFunction> Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var functions = new List<BuiltFunction>();
        foreach (var function in document.RootElement.EnumerateArray())
        {
            var bindings = function.GetProperty("bindings").EnumerateArray().Select(b => b.Clone()).ToList();
            var triggers = bindings.Where(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal)).ToList();
            if (triggers.Count != 1)
            {
                throw new InvalidOperationException($"{path}: function {function.GetProperty("name")} has {triggers.Count} triggers.");
            }

            functions.Add(new BuiltFunction(
                function.GetProperty("name").GetString()!,
                function.GetProperty("entryPoint").GetString()!,
                function.GetProperty("scriptFile").GetString()!,
                triggers[0],
                [.. bindings.Where(b => string.Equals(b.GetProperty("direction").GetString(), "Out", StringComparison.OrdinalIgnoreCase))]));
        }

        return functions;
    }
}

using System.Text.Json;

namespace AlertPipeline.LocalHost.Grpc;

/// <summary>
/// An isolated-worker app's <c>worker.config.json</c> (written by Microsoft.Azure.Functions.Worker.Sdk): how the host
/// starts the worker (<c>defaultExecutablePath</c> [arguments] <c>defaultWorkerPath</c>) and whether the worker indexes its
/// own functions.
/// </summary>
internal sealed record WorkerConfig(string Language, string ExecutablePath, IReadOnlyList<string> Arguments, string WorkerPath, bool WorkerIndexing)
{
    public const string FileName = "worker.config.json";

    /// <summary>The SDK's function metadata file; its presence next to worker.config.json marks a built isolated-worker app.</summary>
    public const string MetadataFileName = "functions.metadata";

    /// <summary>True when <paramref name="scriptRoot"/> holds a built isolated-worker app (worker.config.json and functions.metadata).</summary>
    public static bool IsWorkerApp(string scriptRoot) =>
        File.Exists(Path.Combine(scriptRoot, FileName)) && File.Exists(Path.Combine(scriptRoot, MetadataFileName));

    public static WorkerConfig Load(string scriptRoot)
    {
        var path = Path.Combine(Path.GetFullPath(scriptRoot), FileName);
        JsonElement description;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (!document.RootElement.TryGetProperty("description", out var d) || d.ValueKind != JsonValueKind.Object)
            {
                throw new LocalHostConfigurationException($"{path}: description is required (an object naming defaultExecutablePath and defaultWorkerPath).");
            }

            description = d.Clone();
        }
        catch (JsonException ex)
        {
            throw new LocalHostConfigurationException($"{path}: not valid JSON ({ex.Message}).", ex);
        }

        string Required(string name) =>
            description.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
                ? text
                : throw new LocalHostConfigurationException($"{path}: description.{name} is required (a non-empty string).");

        var arguments = description.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.Array
            ? args.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToArray()
            : [];
        var indexing = description.TryGetProperty("workerIndexing", out var flag)
                       && (flag.ValueKind == JsonValueKind.True || (flag.ValueKind == JsonValueKind.String && bool.TryParse(flag.GetString(), out var b) && b));
        var language = description.TryGetProperty("language", out var lang) && lang.ValueKind == JsonValueKind.String ? lang.GetString()! : "dotnet-isolated";
        return new WorkerConfig(language, Required("defaultExecutablePath"), arguments, Required("defaultWorkerPath"), indexing);
    }
}

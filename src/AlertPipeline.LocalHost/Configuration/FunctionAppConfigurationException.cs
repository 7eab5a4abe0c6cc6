namespace AlertPipeline.LocalHost.Configuration;

/// <summary>
/// host.json, a function.json or the app layout is wrong. The message names the file and the field
/// (e.g. <c>functions/FanOut/function.json: bindings[0].queueName: is required for a queueTrigger binding</c>).
/// </summary>
public sealed class FunctionAppConfigurationException : Exception
{
    public FunctionAppConfigurationException(string filePath, string? field, string problem, Exception? innerException = null)
        : base(Format(filePath, field, problem), innerException)
    {
        FilePath = filePath;
        Field = field;
    }

    /// <summary>The file (or folder) at fault.</summary>
    public string FilePath { get; }

    /// <summary>The JSON path of the field at fault (<c>extensions.queues.batchSize</c>), or null for the whole file.</summary>
    public string? Field { get; }

    private static string Format(string filePath, string? field, string problem) =>
        field is null ? $"{filePath}: {problem}" : $"{filePath}: {field}: {problem}";
}

using System.Text.Json;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// Queue message bodies as the functions read and write them: camelCase JSON (the contract of docs/pipeline.md). Outputs
/// are JSON <em>text</em>, one string per message: the worker sends a string array as one JSON array and the host writes one
/// queue message per element; no output (null) rather than an empty array.
/// </summary>
internal static class QueueMessages
{
    public static string One<T>(T message) => JsonSerializer.Serialize(message, JsonSerializerOptions.Web);

    public static string[]? Many<T>(IEnumerable<T> messages)
    {
        var texts = messages.Select(One).ToArray();
        return texts.Length == 0 ? null : texts;
    }

    /// <summary>Reads a message body; throws <see cref="PipelineMessageException"/> (naming the queue, never quoting the body) when it is not that JSON.</summary>
    public static T Read<T>(string body, string queue)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, JsonSerializerOptions.Web)
                   ?? throw new PipelineMessageException($"{queue} message: JSON null, expected an object");
        }
        catch (JsonException ex)
        {
            throw new PipelineMessageException($"{queue} message: not valid JSON ({ex.GetType().Name} at byte {ex.BytePositionInLine})");
        }
    }
}

/// <summary>
/// A message a function cannot process, or a transient problem (the message is retried, then poisoned). Its message names
/// queues, fields and keys, never content, so it is safe in logs.
/// </summary>
public sealed class PipelineMessageException(string reason) : Exception(reason);

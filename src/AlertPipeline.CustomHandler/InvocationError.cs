using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlertPipeline.CustomHandler;

/// <summary>
/// The JSON body of a failed invocation (HTTP 500). The host ignores it (any non-2xx fails the invocation, writes no
/// outputs and retries the message), but it makes the failure readable in the local host's logs and in tests.
/// <see cref="Error"/> never holds message content.
/// </summary>
public sealed record InvocationError
{
    [JsonPropertyName("Function")]
    public required string Function { get; init; }

    [JsonPropertyName("InvocationId")]
    public string? InvocationId { get; init; }

    [JsonPropertyName("Error")]
    public required string Error { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, CustomHandlerJson.EnvelopeOptions);

    /// <summary>Reads an error body; null when <paramref name="json"/> is not one.</summary>
    public static InvocationError? TryParse(string json)
    {
        try
        {
            var error = JsonSerializer.Deserialize<InvocationError>(json, CustomHandlerJson.EnvelopeOptions);
            return error is { Function: not null, Error: not null } ? error : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Thrown by a function to fail the invocation on purpose (the message is retried, then poisoned). The
/// <see cref="Exception.Message"/> is a reason safe to log and to return in the error body: never put message content,
/// phone numbers or emails in it.
/// </summary>
public sealed class InvocationFailedException : Exception
{
    public InvocationFailedException(string reason)
        : base(reason)
    {
    }

    public InvocationFailedException(string reason, Exception innerException)
        : base(reason, innerException)
    {
    }
}

using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlertPipeline.CustomHandler;

/// <summary>
/// JSON settings for the custom-handler protocol. The envelope types carry <see cref="JsonPropertyNameAttribute"/>s, so they
/// serialise with the host's exact casing (<c>Data</c>, <c>Metadata</c>, <c>Outputs</c>, <c>Logs</c>, <c>ReturnValue</c>)
/// whatever options a caller uses; these options add case-insensitive reading, as the host's Newtonsoft reader does.
/// </summary>
public static class CustomHandlerJson
{
    /// <summary>The media type of every invocation request and response body.</summary>
    public const string MediaType = "application/json";

    /// <summary>The header carrying the invocation id on each POST from the host.</summary>
    public const string InvocationIdHeader = "X-Azure-Functions-InvocationId";

    /// <summary>Options for the envelopes (<see cref="InvocationRequest"/>, <see cref="InvocationResponse"/>).</summary>
    public static JsonSerializerOptions EnvelopeOptions { get; } = CreateEnvelopeOptions();

    /// <summary>
    /// Default options for message payloads (<see cref="InvocationRequest.GetMessage{T}"/>,
    /// <see cref="InvocationResponseBuilder.AddOutput{T}"/>): the web defaults (camelCase, case-insensitive reading).
    /// </summary>
    public static JsonSerializerOptions MessageOptions { get; } = CreateMessageOptions();

    private static JsonSerializerOptions CreateEnvelopeOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNameCaseInsensitive = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            // Newtonsoft (the host's serialiser) escapes only quotes, backslashes and control characters.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private static JsonSerializerOptions CreateMessageOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

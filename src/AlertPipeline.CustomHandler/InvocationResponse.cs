using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlertPipeline.CustomHandler;

/// <summary>
/// The handler's answer to an invocation: <c>{"Outputs": {binding: value}, "Logs": ["…"], "ReturnValue": value}</c>, sent
/// with HTTP 2xx and <c>Content-Type: application/json</c>. Build it with <see cref="InvocationResponseBuilder"/>, which keeps
/// every output a JSON object (a bare string may be base64-decoded by the host).
/// </summary>
public sealed record InvocationResponse
{
    private readonly IDictionary<string, JsonElement> _outputs = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Output values by binding name. An array value becomes one message per element.</summary>
    [JsonPropertyName("Outputs")]
    public IDictionary<string, JsonElement> Outputs
    {
        get => _outputs;
        init
        {
            _outputs = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
            if (value is not null)
            {
                foreach (var (key, element) in value)
                {
                    _outputs[key] = element;
                }
            }
        }
    }

    /// <summary>Lines the host writes to its log for this invocation. Never put a phone number or email here.</summary>
    [JsonPropertyName("Logs")]
    public IReadOnlyList<string> Logs { get; init; } = [];

    /// <summary>The value of a <c>$return</c> output binding, if the function has one.</summary>
    [JsonPropertyName("ReturnValue")]
    public JsonElement? ReturnValue { get; init; }

    /// <summary>A success with no outputs and no logs.</summary>
    public static InvocationResponse Empty { get; } = new();

    /// <summary>Reads a response body as the host does (property names case-insensitive; missing members are empty).</summary>
    public static InvocationResponse Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<InvocationResponse>(json, CustomHandlerJson.EnvelopeOptions)
                   ?? throw new InvocationPayloadException("The invocation response body is JSON null.");
        }
        catch (JsonException ex)
        {
            throw new InvocationPayloadException($"The invocation response is not valid JSON of the expected shape ({ex.Path}, line {ex.LineNumber}).", ex);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, CustomHandlerJson.EnvelopeOptions);

    public byte[] ToJsonUtf8Bytes() => JsonSerializer.SerializeToUtf8Bytes(this, CustomHandlerJson.EnvelopeOptions);

    /// <summary>
    /// The messages the host would write for an output binding (host side, for the local host): the value of
    /// <c>Outputs[binding]</c>, or <see cref="ReturnValue"/> for <c>$return</c>, expanded by <see cref="OutputMessages.Expand"/>.
    /// Empty when the binding has no value.
    /// </summary>
    public IReadOnlyList<OutputMessage> GetOutputMessages(string bindingName, bool binary = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(bindingName);
        if (bindingName == "$return")
        {
            return ReturnValue is { } returned ? OutputMessages.Expand(returned, binary) : [];
        }

        return _outputs.TryGetValue(bindingName, out var value) ? OutputMessages.Expand(value, binary) : [];
    }
}

/// <summary>One message an output binding writes: its body bytes (UTF-8 text for JSON values).</summary>
public sealed record OutputMessage(ReadOnlyMemory<byte> Body)
{
    public static OutputMessage FromText(string text) => new(Encoding.UTF8.GetBytes(text));

    /// <summary>The body as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Body.Span);
}

/// <summary>How the host turns an output value into messages (reference: custom-handler.md, "Response").</summary>
public static class OutputMessages
{
    /// <summary>
    /// Expands an output value the way the host writes it: null → no message; an array (or a string holding a JSON array)
    /// → one message per element; an object → its JSON text; a string that is valid base64 → the decoded bytes (the host's
    /// quirk for bindings without <c>dataType: binary</c>, and the meaning of binary bindings); another string → its text;
    /// a number or boolean → its literal.
    /// </summary>
    public static IReadOnlyList<OutputMessage> Expand(JsonElement value, bool binary = false)
    {
        var messages = new List<OutputMessage>();
        switch (value.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                break;
            case JsonValueKind.Array:
                foreach (var element in value.EnumerateArray())
                {
                    if (element.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
                    {
                        messages.Add(Single(element, binary));
                    }
                }

                break;
            case JsonValueKind.String when TryParseArray(value.GetString()!, out var array):
                messages.AddRange(Expand(array, binary));
                break;
            default:
                messages.Add(Single(value, binary));
                break;
        }

        return messages;
    }

    private static OutputMessage Single(JsonElement element, bool binary)
    {
        _ = binary; // binary and string bindings decode base64 strings alike (see Expand).
        if (element.ValueKind != JsonValueKind.String)
        {
            return OutputMessage.FromText(element.GetRawText());
        }

        var text = element.GetString()!;
        return PayloadValues.TryDecodeStrictBase64(text, out var bytes) ? new OutputMessage(bytes) : OutputMessage.FromText(text);
    }

    private static bool TryParseArray(string text, out JsonElement array)
    {
        array = default;
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length < 2 || trimmed[0] != '[')
        {
            return false;
        }

        try
        {
            array = JsonSerializer.Deserialize<JsonElement>(text);
            return array.ValueKind == JsonValueKind.Array;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

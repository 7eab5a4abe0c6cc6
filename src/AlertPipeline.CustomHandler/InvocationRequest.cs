using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlertPipeline.CustomHandler;

/// <summary>
/// The body the Functions host POSTs to <c>/{FunctionName}</c>: <c>{"Data": {binding: value}, "Metadata": {key: value}}</c>.
/// The accessors undo the host's quirks (see docs/functions.md): message strings JSON-encoded a second time, binary data as
/// base64, metadata numbers as strings (<c>"DequeueCount":"1"</c>), metadata strings quoted inside the string
/// (<c>"Id":"\"abc\""</c>), and top-level fields of a JSON message body merged into Metadata over same-named keys.
/// Lookups of binding names and metadata keys ignore case, as the host's binding data does.
/// </summary>
public sealed record InvocationRequest
{
    private readonly IDictionary<string, JsonElement> _data = NewDictionary();
    private readonly IDictionary<string, JsonElement> _metadata = NewDictionary();

    /// <summary>Input values by binding name (the trigger's and any other input bindings').</summary>
    [JsonPropertyName("Data")]
    public IDictionary<string, JsonElement> Data
    {
        get => _data;
        init => _data = Copy(value);
    }

    /// <summary>The trigger's binding data (DequeueCount, Id, sys, …) plus the top-level fields of a JSON message body.</summary>
    [JsonPropertyName("Metadata")]
    public IDictionary<string, JsonElement> Metadata
    {
        get => _metadata;
        init => _metadata = Copy(value);
    }

    /// <summary>The function invoked (the request path); set by the receiving side, not part of the body.</summary>
    [JsonIgnore]
    public string? FunctionName { get; init; }

    /// <summary>The <c>X-Azure-Functions-InvocationId</c> header; set by the receiving side, not part of the body.</summary>
    [JsonIgnore]
    public string? InvocationId { get; init; }

    /// <summary>Reads a request body. Throws <see cref="InvocationPayloadException"/> when it is not an invocation request.</summary>
    public static InvocationRequest Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return Validate(JsonSerializer.Deserialize<InvocationRequest>(json, CustomHandlerJson.EnvelopeOptions));
        }
        catch (JsonException ex)
        {
            throw new InvocationPayloadException($"The invocation request is not valid JSON of the expected shape ({ex.Path}, line {ex.LineNumber}).", ex);
        }
    }

    /// <summary>Reads a request body from a stream (e.g. an HTTP request body).</summary>
    public static async Task<InvocationRequest> ParseAsync(Stream body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            var request = await JsonSerializer.DeserializeAsync<InvocationRequest>(body, CustomHandlerJson.EnvelopeOptions, cancellationToken)
                .ConfigureAwait(false);
            return Validate(request);
        }
        catch (JsonException ex)
        {
            throw new InvocationPayloadException($"The invocation request is not valid JSON of the expected shape ({ex.Path}, line {ex.LineNumber}).", ex);
        }
    }

    /// <summary>The body as the host sends it (exact casing).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, CustomHandlerJson.EnvelopeOptions);

    /// <summary>The body as UTF-8 bytes.</summary>
    public byte[] ToJsonUtf8Bytes() => JsonSerializer.SerializeToUtf8Bytes(this, CustomHandlerJson.EnvelopeOptions);

    public bool HasData(string bindingName) => _data.ContainsKey(bindingName);

    /// <summary>The raw value of a binding. Throws naming the binding (and those present) when it is missing.</summary>
    public JsonElement GetData(string bindingName)
    {
        ArgumentException.ThrowIfNullOrEmpty(bindingName);
        if (_data.TryGetValue(bindingName, out var value))
        {
            return value;
        }

        var present = _data.Count == 0 ? "none" : string.Join(", ", _data.Keys.Order(StringComparer.Ordinal));
        throw new InvocationPayloadException($"Data has no binding '{bindingName}' (bindings present: {present}).");
    }

    /// <summary>
    /// The message text of a queue or Service Bus trigger bound as a string. The host JSON-encodes the message a second
    /// time: the value is decoded, and decoded again if the result is itself a JSON string literal. An object value (a
    /// host that sends the message as JSON) gives its JSON text.
    /// </summary>
    public string GetMessageText(string bindingName)
    {
        var value = GetData(bindingName);
        return value.ValueKind switch
        {
            JsonValueKind.String => PayloadValues.UnquoteJsonString(value.GetString()!, 2),
            JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => throw new InvocationPayloadException($"Data '{bindingName}' is null; expected a message."),
        };
    }

    /// <summary>The raw bytes of a binding declared with <c>"dataType": "binary"</c> (sent by the host as one base64 string).</summary>
    public byte[] GetMessageBytes(string bindingName)
    {
        var value = GetData(bindingName);
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new InvocationPayloadException(
                $"Data '{bindingName}' is {PayloadValues.Describe(value)}; a binary binding arrives as a base64 string.");
        }

        try
        {
            return Convert.FromBase64String(value.GetString()!);
        }
        catch (FormatException ex)
        {
            throw new InvocationPayloadException(
                $"Data '{bindingName}' is not base64; declare the binding with \"dataType\": \"binary\" only for binary payloads.", ex);
        }
    }

    /// <summary>The message of a binding deserialised as <typeparamref name="T"/> (default options: <see cref="CustomHandlerJson.MessageOptions"/>).</summary>
    public T GetMessage<T>(string bindingName, JsonSerializerOptions? options = null)
    {
        var value = GetData(bindingName);
        options ??= CustomHandlerJson.MessageOptions;
        try
        {
            var result = value.ValueKind == JsonValueKind.Object
                ? value.Deserialize<T>(options)
                : JsonSerializer.Deserialize<T>(GetMessageText(bindingName), options);
            return result ?? throw new InvocationPayloadException($"Data '{bindingName}' is JSON null; expected a {typeof(T).Name}.");
        }
        catch (JsonException ex)
        {
            // System.Text.Json messages name the path and target type, never the offending value.
            throw new InvocationPayloadException($"Data '{bindingName}' is not a valid {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    /// <summary>A timer trigger's value.</summary>
    public TimerInfo GetTimerInfo(string bindingName)
    {
        var value = PayloadValues.AsStructured(GetData(bindingName));
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new InvocationPayloadException($"Data '{bindingName}' is {PayloadValues.Describe(value)}; a timer trigger sends an object.");
        }

        try
        {
            return value.Deserialize<TimerInfo>(CustomHandlerJson.EnvelopeOptions)!;
        }
        catch (JsonException ex)
        {
            throw new InvocationPayloadException($"Data '{bindingName}' is not a timer payload: {ex.Message}", ex);
        }
    }

    public bool HasMetadata(string key) => _metadata.ContainsKey(key);

    /// <summary>
    /// A metadata value as text, unquoted (<c>"\"abc\""</c> → <c>abc</c>, <c>"1"</c> → <c>1</c>); null when absent or null.
    /// Remember that a message body field of the same name shadows the trigger's own value.
    /// </summary>
    public string? GetMetadataString(string key) =>
        _metadata.TryGetValue(key, out var value) ? PayloadValues.AsText(value) : null;

    /// <summary>A metadata value as an object or array (e.g. <c>sys</c>, <c>ApplicationProperties</c>), decoding JSON text if needed.</summary>
    public JsonElement? GetMetadataElement(string key) =>
        _metadata.TryGetValue(key, out var value) ? PayloadValues.AsStructured(value) : null;

    public bool TryGetMetadataLong(string key, out long value)
    {
        value = 0;
        var text = GetMetadataString(key);
        return text is not null && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>An integer metadata value (<c>DequeueCount</c>, <c>DeliveryCount</c>), sent as a string or a number.</summary>
    public int GetMetadataInt(string key)
    {
        var value = GetMetadataLong(key);
        if (value is < int.MinValue or > int.MaxValue)
        {
            throw new InvocationPayloadException($"Metadata '{key}' is out of the range of an int.");
        }

        return (int)value;
    }

    public bool TryGetMetadataInt(string key, out int value)
    {
        value = 0;
        if (!TryGetMetadataLong(key, out var wide) || wide is < int.MinValue or > int.MaxValue)
        {
            return false;
        }

        value = (int)wide;
        return true;
    }

    public long GetMetadataLong(string key)
    {
        if (!_metadata.TryGetValue(key, out var raw))
        {
            throw new InvocationPayloadException($"Metadata has no '{key}'.");
        }

        if (!TryGetMetadataLong(key, out var value))
        {
            throw new InvocationPayloadException($"Metadata '{key}' is {PayloadValues.Describe(raw)}, not an integer.");
        }

        return value;
    }

    /// <summary>A date metadata value (<c>InsertionTime</c>, <c>EnqueuedTimeUtc</c>); null when absent.</summary>
    public DateTimeOffset? GetMetadataDateTimeOffset(string key)
    {
        if (!_metadata.TryGetValue(key, out var raw))
        {
            return null;
        }

        var text = PayloadValues.AsText(raw);
        if (text is null)
        {
            return null;
        }

        return PayloadValues.TryParseDate(text, out var value)
            ? value
            : throw new InvocationPayloadException($"Metadata '{key}' is {PayloadValues.Describe(raw)}, not a date.");
    }

    /// <summary>
    /// How many times this message has been delivered, counting this one: <c>DequeueCount</c> (queue) or
    /// <c>DeliveryCount</c> (Service Bus). Throws when the trigger sends neither.
    /// </summary>
    public int GetDeliveryAttempt()
    {
        if (TryGetMetadataInt(MetadataKeys.DequeueCount, out var dequeue))
        {
            return dequeue;
        }

        if (TryGetMetadataInt(MetadataKeys.DeliveryCount, out var delivery))
        {
            return delivery;
        }

        throw new InvocationPayloadException(
            $"Metadata has neither an integer '{MetadataKeys.DequeueCount}' nor '{MetadataKeys.DeliveryCount}' (is a message body field shadowing it?).");
    }

    private static InvocationRequest Validate(InvocationRequest? request) =>
        request ?? throw new InvocationPayloadException("The invocation request body is JSON null.");

    private static Dictionary<string, JsonElement> NewDictionary() => new(StringComparer.OrdinalIgnoreCase);

    private static Dictionary<string, JsonElement> Copy(IDictionary<string, JsonElement>? source)
    {
        var copy = NewDictionary();
        if (source is not null)
        {
            foreach (var (key, value) in source)
            {
                copy[key] = value;
            }
        }

        return copy;
    }
}

/// <summary>Metadata keys the host sends for the triggers we use.</summary>
public static class MetadataKeys
{
    public const string DequeueCount = "DequeueCount";
    public const string Id = "Id";
    public const string InsertionTime = "InsertionTime";
    public const string ExpirationTime = "ExpirationTime";
    public const string NextVisibleTime = "NextVisibleTime";
    public const string PopReceipt = "PopReceipt";
    public const string DeliveryCount = "DeliveryCount";
    public const string MessageId = "MessageId";
    public const string SequenceNumber = "SequenceNumber";
    public const string EnqueuedTimeUtc = "EnqueuedTimeUtc";
    public const string ExpiresAtUtc = "ExpiresAtUtc";
    public const string LockToken = "LockToken";
    public const string ContentType = "ContentType";
    public const string CorrelationId = "CorrelationId";
    public const string Subject = "Subject";
    public const string ApplicationProperties = "ApplicationProperties";
    public const string UserProperties = "UserProperties";
    public const string Sys = "sys";
}

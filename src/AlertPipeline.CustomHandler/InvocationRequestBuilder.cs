using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlertPipeline.CustomHandler;

/// <summary>
/// Builds invocation requests exactly as the Functions host sends them (host side, for the local host and for tests).
/// Mirrors the host's <c>ScriptInvocationContextExtensions</c>: a string value goes through <c>JsonConvert.SerializeObject</c>
/// (so a message arrives JSON-encoded a second time and a metadata string arrives quoted inside the string), numbers arrive
/// as strings, dates as ISO strings, objects as objects, binary data as base64; metadata keys ending in "Trigger" are left
/// out; and the top-level fields of a JSON object body are merged into Metadata over same-named keys
/// (objects as objects, other values as quoted strings, arrays and nulls skipped).
/// </summary>
public static class InvocationRequestBuilder
{
    /// <summary>A queue-trigger invocation.</summary>
    /// <param name="functionName">The function (becomes <c>sys.MethodName</c>).</param>
    /// <param name="bindingName">The trigger binding's name in function.json.</param>
    /// <param name="message">The message, its body already decoded from the queue's messageEncoding.</param>
    /// <param name="binary">The binding declares <c>"dataType": "binary"</c>: the body is sent as base64 and not merged.</param>
    /// <param name="utcNow">The invocation time for <c>sys.UtcNow</c> (default: now).</param>
    public static InvocationRequest ForQueueMessage(
        string functionName, string bindingName, QueueTriggerMessage message, bool binary = false, DateTimeOffset? utcNow = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var metadata = NewMetadata();
        metadata[MetadataKeys.DequeueCount] = Number(message.DequeueCount);
        AddDate(metadata, MetadataKeys.ExpirationTime, message.ExpirationTime);
        metadata[MetadataKeys.Id] = QuotedString(message.Id);
        AddDate(metadata, MetadataKeys.InsertionTime, message.InsertionTime);
        AddDate(metadata, MetadataKeys.NextVisibleTime, message.NextVisibleTime);
        if (message.PopReceipt is not null)
        {
            metadata[MetadataKeys.PopReceipt] = QuotedString(message.PopReceipt);
        }

        return Build(functionName, bindingName, message.Body, binary, metadata, utcNow);
    }

    /// <summary>A Service Bus trigger invocation (a queue, or a topic subscription).</summary>
    public static InvocationRequest ForServiceBusMessage(
        string functionName, string bindingName, ServiceBusTriggerMessage message, bool binary = false, DateTimeOffset? utcNow = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var metadata = NewMetadata();
        metadata[MetadataKeys.DeliveryCount] = Number(message.DeliveryCount);
        AddOptionalString(metadata, MetadataKeys.LockToken, message.LockToken);
        if (message.ExpiresAt is { } expires)
        {
            metadata[MetadataKeys.ExpiresAtUtc] = JsonValue.Create(UnspecifiedDateTime(expires));
            metadata["ExpiresAt"] = JsonValue.Create(PayloadValues.FormatDateTimeOffset(Seconds(expires)));
        }

        if (message.EnqueuedTime is { } enqueued)
        {
            metadata[MetadataKeys.EnqueuedTimeUtc] = JsonValue.Create(UnspecifiedDateTime(enqueued));
            metadata["EnqueuedTime"] = JsonValue.Create(PayloadValues.FormatDateTimeOffset(Seconds(enqueued)));
        }

        metadata[MetadataKeys.MessageId] = QuotedString(message.MessageId);
        AddOptionalString(metadata, MetadataKeys.ContentType, message.ContentType);
        metadata[MetadataKeys.SequenceNumber] = Number(message.SequenceNumber);
        AddOptionalString(metadata, MetadataKeys.Subject, message.Subject);
        AddOptionalString(metadata, "Label", message.Subject);
        AddOptionalString(metadata, MetadataKeys.CorrelationId, message.CorrelationId);
        AddOptionalString(metadata, "SessionId", message.SessionId);
        var properties = new JsonObject();
        foreach (var (key, value) in message.ApplicationProperties)
        {
            properties[key] = value is null ? null : JsonSerializer.SerializeToNode(value);
        }

        metadata[MetadataKeys.ApplicationProperties] = properties;
        metadata[MetadataKeys.UserProperties] = properties.DeepClone();
        return Build(functionName, bindingName, message.Body, binary, metadata, utcNow);
    }

    /// <summary>
    /// A timer-trigger invocation: <c>Data.&lt;binding&gt;</c> = <c>{"Schedule":{"AdjustForDST":true},"ScheduleStatus":…,"IsPastDue":…}</c>,
    /// Metadata = <c>sys</c> only. <paramref name="status"/> is null without a schedule monitor.
    /// </summary>
    public static InvocationRequest ForTimer(
        string functionName, string bindingName, TimerScheduleStatus? status, bool isPastDue, DateTimeOffset? utcNow = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(bindingName);
        var timer = new JsonObject
        {
            ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
            ["ScheduleStatus"] = status is null
                ? null
                : new JsonObject
                {
                    ["Last"] = PayloadValues.FormatDateTimeOffset(status.Last),
                    ["Next"] = PayloadValues.FormatDateTimeOffset(status.Next),
                    ["LastUpdated"] = PayloadValues.FormatDateTimeOffset(status.LastUpdated),
                },
            ["IsPastDue"] = isPastDue,
        };
        var metadata = NewMetadata();
        metadata[MetadataKeys.Sys] = Sys(functionName, utcNow);
        return new InvocationRequest
        {
            Data = new Dictionary<string, JsonElement> { [bindingName] = ToElement(timer) },
            Metadata = ToElements(metadata),
            FunctionName = functionName,
        };
    }

    private static InvocationRequest Build(
        string functionName, string bindingName, ReadOnlyMemory<byte> body, bool binary, Dictionary<string, JsonNode?> metadata, DateTimeOffset? utcNow)
    {
        ArgumentException.ThrowIfNullOrEmpty(functionName);
        ArgumentException.ThrowIfNullOrEmpty(bindingName);
        metadata[MetadataKeys.Sys] = Sys(functionName, utcNow);

        JsonElement data;
        if (binary)
        {
            data = JsonSerializer.SerializeToElement(Convert.ToBase64String(body.Span), CustomHandlerJson.EnvelopeOptions);
        }
        else
        {
            var text = Encoding.UTF8.GetString(body.Span);
            data = JsonSerializer.SerializeToElement(QuotedText(text), CustomHandlerJson.EnvelopeOptions);
            MergeBodyFields(text, metadata);
        }

        return new InvocationRequest
        {
            Data = new Dictionary<string, JsonElement> { [bindingName] = data },
            Metadata = ToElements(metadata),
            FunctionName = functionName,
        };
    }

    /// <summary>The host's Utility.ApplyBindingData: top-level fields of a JSON object body become binding data.</summary>
    private static void MergeBodyFields(string text, Dictionary<string, JsonNode?> metadata)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length < 2 || trimmed[0] != '{' || trimmed[^1] != '}')
        {
            return;
        }

        JsonObject? body;
        try
        {
            body = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return;
        }

        if (body is null)
        {
            return;
        }

        foreach (var (key, value) in body)
        {
            switch (value)
            {
                case null:
                case JsonArray:
                    continue;
                case JsonObject obj:
                    metadata[key] = obj.DeepClone();
                    break;
                case JsonValue scalar:
                    metadata[key] = QuotedString(ScalarText(scalar));
                    break;
            }
        }
    }

    private static string ScalarText(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True => "True", // Newtonsoft's (string)JValue of a boolean
        JsonValueKind.False => "False",
        _ => value.ToJsonString(),
    };

    private static JsonObject Sys(string functionName, DateTimeOffset? utcNow) => new()
    {
        ["MethodName"] = functionName,
        ["UtcNow"] = PayloadValues.FormatUtcDateTime(utcNow ?? DateTimeOffset.UtcNow),
        ["RandGuid"] = Guid.NewGuid().ToString("D"),
    };

    private static Dictionary<string, JsonNode?> NewMetadata() => new(StringComparer.OrdinalIgnoreCase);

    /// <summary>JsonConvert.SerializeObject of a string: the JSON literal, escaped as Newtonsoft escapes it.</summary>
    private static string QuotedText(string text) => JsonSerializer.Serialize(text, CustomHandlerJson.EnvelopeOptions);

    private static JsonNode QuotedString(string text) => JsonValue.Create(QuotedText(text));

    private static JsonNode Number(long value) => JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));

    private static void AddOptionalString(Dictionary<string, JsonNode?> metadata, string key, string? value)
    {
        if (value is not null)
        {
            metadata[key] = QuotedString(value);
        }
    }

    private static void AddDate(Dictionary<string, JsonNode?> metadata, string key, DateTimeOffset? value)
    {
        if (value is { } date)
        {
            // The host re-parses dates from their ToString() (second precision) and Newtonsoft writes them ISO 8601.
            metadata[key] = JsonValue.Create(PayloadValues.FormatDateTimeOffset(Seconds(date)));
        }
    }

    /// <summary>A DateTime re-parsed from ToString() loses its kind: Newtonsoft writes it without an offset.</summary>
    private static string UnspecifiedDateTime(DateTimeOffset value) =>
        Seconds(value).UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss", CultureInfo.InvariantCulture);

    private static DateTimeOffset Seconds(DateTimeOffset value) => new(value.Ticks - (value.Ticks % TimeSpan.TicksPerSecond), value.Offset);

    private static JsonElement ToElement(JsonNode? node) => JsonSerializer.SerializeToElement(node, CustomHandlerJson.EnvelopeOptions);

    private static Dictionary<string, JsonElement> ToElements(Dictionary<string, JsonNode?> nodes)
    {
        var elements = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, node) in nodes)
        {
            elements[key] = ToElement(node);
        }

        return elements;
    }
}

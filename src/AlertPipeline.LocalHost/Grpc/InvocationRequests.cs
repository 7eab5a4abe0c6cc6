using System.Globalization;
using System.Text;
using System.Text.Json;
using AlertPipeline.LocalHost.Grpc.Messages;
using AlertPipeline.LocalHost.Transport;
using Google.Protobuf;

namespace AlertPipeline.LocalHost.Grpc;

/// <summary>
/// Builds the <c>InvocationRequest</c> the Functions host sends for a trigger: the trigger value in <c>input_data</c> under
/// the trigger binding's name, and the binding data as <c>trigger_metadata</c> (strings as <c>string</c>, everything else
/// as Newtonsoft would serialize it into <c>json</c>: numbers bare, dates as quoted ISO 8601 text).
/// </summary>
internal static class InvocationRequests
{
    /// <summary>Newtonsoft's default DateTimeOffset format (what the host's ToRpcDefault produces).</summary>
    private const string DateFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFK";

    public static InvocationRequest Build(string invocationId, string functionId, TriggerInput trigger, DateTimeOffset now)
    {
        var request = NewRequest(invocationId, functionId);
        switch (trigger)
        {
            case QueueTriggerInput queue:
                AddQueue(request, queue, now);
                break;
            case ServiceBusTriggerInput serviceBus:
                AddServiceBus(request, serviceBus);
                break;
            case TimerTriggerInput timer:
                AddTimer(request, timer, now);
                break;
            default:
                throw new ArgumentException($"Unknown trigger input {trigger.GetType().Name}.", nameof(trigger));
        }

        return request;
    }

    /// <summary>The HTTP trigger with the ASP.NET Core integration: an empty <c>http</c> value (the request itself is forwarded).</summary>
    public static InvocationRequest ForHttp(string invocationId, string functionId, string bindingName)
    {
        var request = NewRequest(invocationId, functionId);
        request.InputData.Add(new ParameterBinding { Name = bindingName, Data = new TypedData { Http = new RpcHttp() } });
        return request;
    }

    /// <summary>
    /// A request with its trace context: the host always sends one (a W3C traceparent of a new trace per invocation here)
    /// and the worker reads it unconditionally.
    /// </summary>
    private static InvocationRequest NewRequest(string invocationId, string functionId) => new()
    {
        InvocationId = invocationId,
        FunctionId = functionId,
        TraceContext = new RpcTraceContext
        {
            TraceParent = $"00-{System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString()}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01",
            TraceState = string.Empty,
        },
    };

    /// <summary>WebJobs TimerInfo as the host serializes it.</summary>
    public static string TimerInfoJson(TimerStatus? status, bool isPastDue)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("Schedule");
            json.WriteBoolean("AdjustForDST", true);
            json.WriteEndObject();
            if (status is null)
            {
                json.WriteNull("ScheduleStatus");
            }
            else
            {
                json.WriteStartObject("ScheduleStatus");
                json.WriteString("Last", Date(status.Last));
                json.WriteString("Next", Date(status.Next));
                json.WriteString("LastUpdated", Date(status.LastUpdated));
                json.WriteEndObject();
            }

            json.WriteBoolean("IsPastDue", isPastDue);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void AddQueue(InvocationRequest request, QueueTriggerInput queue, DateTimeOffset now)
    {
        var message = queue.Message;
        var text = Encoding.UTF8.GetString(message.Body.Span);
        request.InputData.Add(new ParameterBinding
        {
            Name = queue.BindingName,
            Data = queue.Binary ? new TypedData { Bytes = ByteString.CopyFrom(message.Body.Span) } : new TypedData { String = text },
        });

        // As the Storage queues extension's binding data (QueueTriggerBinding.CreateBindingData).
        var metadata = request.TriggerMetadata;
        metadata["QueueTrigger"] = new TypedData { String = text };
        metadata["DequeueCount"] = Json(message.DequeueCount.ToString(CultureInfo.InvariantCulture));
        metadata["ExpirationTime"] = JsonDate(message.ExpirationTime ?? DateTimeOffset.MaxValue);
        metadata["Id"] = new TypedData { String = message.Id };
        metadata["InsertionTime"] = JsonDate(message.InsertionTime ?? now);
        metadata["NextVisibleTime"] = JsonDate(message.NextVisibleTime ?? DateTimeOffset.MaxValue);
        metadata["PopReceipt"] = new TypedData { String = message.PopReceipt };
        AddObjectProperties(metadata, text);
    }

    private static void AddServiceBus(InvocationRequest request, ServiceBusTriggerInput serviceBus)
    {
        var message = serviceBus.Message;
        var text = Encoding.UTF8.GetString(message.Body.Span);
        request.InputData.Add(new ParameterBinding
        {
            Name = serviceBus.BindingName,
            Data = serviceBus.Binary ? new TypedData { Bytes = ByteString.CopyFrom(message.Body.Span) } : new TypedData { String = text },
        });
        var metadata = request.TriggerMetadata;
        metadata["MessageId"] = new TypedData { String = message.MessageId };
        metadata["DeliveryCount"] = Json(message.DeliveryCount.ToString(CultureInfo.InvariantCulture));
        metadata["SequenceNumber"] = Json(message.SequenceNumber.ToString(CultureInfo.InvariantCulture));
        metadata["LockToken"] = new TypedData { String = message.LockToken };
        if (message.EnqueuedTime is { } enqueued)
        {
            metadata["EnqueuedTimeUtc"] = JsonDate(enqueued.ToUniversalTime());
        }

        if (message.ExpiresAt is { } expires)
        {
            metadata["ExpiresAtUtc"] = JsonDate(expires.ToUniversalTime());
        }

        AddObjectProperties(metadata, text);
    }

    private static void AddTimer(InvocationRequest request, TimerTriggerInput timer, DateTimeOffset now)
    {
        request.InputData.Add(new ParameterBinding { Name = timer.BindingName, Data = Json(TimerInfoJson(timer.Status, timer.IsPastDue)) });
        request.TriggerMetadata["TimerTrigger"] = new TypedData { String = now.LocalDateTime.ToString(CultureInfo.InvariantCulture) };
    }

    /// <summary>A JSON-object message also contributes its top-level non-array properties to the binding data (the host's ApplyBindingData).</summary>
    private static void AddObjectProperties(Google.Protobuf.Collections.MapField<string, TypedData> metadata, string text)
    {
        if (!text.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            // Binding data is case-insensitive (the worker builds a case-insensitive dictionary from it): a property
            // named like an existing entry ("id" and "Id") is left out, as is a second one differing only in case.
            var taken = new HashSet<string>(metadata.Keys, StringComparer.OrdinalIgnoreCase);
            using var document = JsonDocument.Parse(text);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind is JsonValueKind.Array or JsonValueKind.Null || !taken.Add(property.Name))
                {
                    continue;
                }

                metadata[property.Name] = property.Value.ValueKind == JsonValueKind.String
                    ? new TypedData { String = property.Value.GetString() }
                    : Json(property.Value.GetRawText());
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: the text alone is the trigger value.
        }
    }

    private static TypedData Json(string json) => new() { Json = json };

    private static TypedData JsonDate(DateTimeOffset value) => Json("\"" + Date(value) + "\""); // the format has no character JSON escapes

    private static string Date(DateTimeOffset value) => value.ToString(DateFormat, CultureInfo.InvariantCulture);
}

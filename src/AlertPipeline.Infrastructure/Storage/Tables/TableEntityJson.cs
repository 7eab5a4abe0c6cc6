using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Azure;

namespace AlertPipeline.Infrastructure.Storage.Tables;

/// <summary>
/// The Table service's JSON (OData minimal metadata) for entities, written the way Azure.Data.Tables and
/// @azure/data-tables write it so that their readers and ours agree:
/// string, bool, int and fractional doubles bare; long as a string with <c>Edm.Int64</c>; dates as ISO-8601 UTC with
/// seven fractional digits and <c>Edm.DateTime</c>; Guid with <c>Edm.Guid</c>; bytes as base64 with <c>Edm.Binary</c>;
/// whole, NaN and infinite doubles with <c>Edm.Double</c> (else the service would read <c>2</c> as an Int32);
/// nulls left out. Reading restores types from the <c>@odata.type</c> annotations.
/// </summary>
internal static class TableEntityJson
{
    internal const string OdataType = "@odata.type";
    internal const string DateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keep quotes, '+', '<', non-ASCII text readable; the output is JSON, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Serialize(TableEntity entity)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, entity);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Utf8JsonWriter writer, TableEntity entity)
    {
        writer.WriteStartObject();
        writer.WriteString(TableEntity.PartitionKeyName, entity.PartitionKey);
        writer.WriteString(TableEntity.RowKeyName, entity.RowKey);
        foreach (var (name, value) in entity)
        {
            if (name is TableEntity.PartitionKeyName or TableEntity.RowKeyName or TableEntity.TimestampName || value is null)
            {
                continue;
            }

            WriteProperty(writer, name, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteProperty(Utf8JsonWriter writer, string name, object value)
    {
        string? edmType = null;
        switch (value)
        {
            case string s:
                writer.WriteString(name, s);
                break;
            case bool b:
                writer.WriteBoolean(name, b);
                break;
            case int i:
                writer.WriteNumber(name, i);
                break;
            case long l:
                writer.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                edmType = "Edm.Int64";
                break;
            case double d when double.IsNaN(d):
                writer.WriteString(name, "NaN");
                edmType = "Edm.Double";
                break;
            case double d when double.IsPositiveInfinity(d):
                writer.WriteString(name, "Infinity");
                edmType = "Edm.Double";
                break;
            case double d when double.IsNegativeInfinity(d):
                writer.WriteString(name, "-Infinity");
                edmType = "Edm.Double";
                break;
            case double d:
                writer.WriteNumber(name, d);
                if (Math.Floor(d) == d)
                {
                    edmType = "Edm.Double"; // 2.0 is written "2": without the annotation it would come back as Int32
                }

                break;
            case DateTimeOffset dto:
                writer.WriteString(name, FormatDateTime(dto));
                edmType = "Edm.DateTime";
                break;
            case DateTime dt:
                writer.WriteString(name, FormatDateTime(new DateTimeOffset(dt.ToUniversalTime(), TimeSpan.Zero)));
                edmType = "Edm.DateTime";
                break;
            case Guid g:
                writer.WriteString(name, g.ToString("D"));
                edmType = "Edm.Guid";
                break;
            case byte[] bytes:
                writer.WriteBase64String(name, bytes);
                edmType = "Edm.Binary";
                break;
            default:
                throw new ArgumentException($"Property '{name}' has an unsupported type {value.GetType().Name}.");
        }

        if (edmType is not null)
        {
            writer.WriteString(name + OdataType, edmType);
        }
    }

    internal static string FormatDateTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString(DateTimeFormat, CultureInfo.InvariantCulture);

    /// <summary>Reads one entity object (a single-entity GET body or an element of a query's <c>value</c>).</summary>
    public static TableEntity ReadEntity(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"Expected a JSON object for an entity, got {element.ValueKind}.");
        }

        var entity = new TableEntity();
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name;
            if (name == "odata.etag")
            {
                entity.ETag = property.Value.GetString() is { } etag ? new ETag(etag) : default;
                continue;
            }

            if (name.StartsWith("odata.", StringComparison.Ordinal) || name.Contains('@', StringComparison.Ordinal))
            {
                continue; // metadata and annotations (annotations are looked up by the property they describe)
            }

            var edmType = element.TryGetProperty(name + OdataType, out var annotation) ? annotation.GetString() : null;
            if (name == TableEntity.TimestampName && property.Value.ValueKind == JsonValueKind.String)
            {
                edmType = "Edm.DateTime";
            }

            var value = ReadValue(name, property.Value, edmType);
            if (value is not null)
            {
                entity[name] = value;
            }
        }

        return entity;
    }

    /// <summary>Reads a query response: <c>{"value":[...]}</c>.</summary>
    public static List<TableEntity> ReadEntities(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("value", out var values) || values.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("The query response has no 'value' array.");
        }

        var entities = new List<TableEntity>(values.GetArrayLength());
        foreach (var item in values.EnumerateArray())
        {
            entities.Add(ReadEntity(item));
        }

        return entities;
    }

    public static TableEntity ReadEntity(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        return ReadEntity(document.RootElement);
    }

    private static object? ReadValue(string name, JsonElement value, string? edmType)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (edmType is null)
        {
            return ReadUntyped(name, value);
        }

        try
        {
            return edmType switch
            {
                "Edm.String" => value.GetString(),
                "Edm.Boolean" => value.GetBoolean(),
                "Edm.Int32" => value.ValueKind == JsonValueKind.String
                    ? int.Parse(value.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
                    : value.GetInt32(),
                "Edm.Int64" => value.ValueKind == JsonValueKind.String
                    ? long.Parse(value.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
                    : value.GetInt64(),
                "Edm.Double" => value.ValueKind == JsonValueKind.String ? ParseDouble(value.GetString()!) : value.GetDouble(),
                "Edm.DateTime" => DateTimeOffset.Parse(
                    value.GetString()!,
                    CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                "Edm.Guid" => Guid.Parse(value.GetString()!),
                "Edm.Binary" => value.GetBytesFromBase64(),
                _ => throw new FormatException($"Property '{name}' has the unknown type '{edmType}'."),
            };
        }
        catch (Exception ex) when (ex is InvalidOperationException or OverflowException
                                       || (ex is FormatException && !ex.Message.StartsWith("Property '", StringComparison.Ordinal)))
        {
            // The inner exception may quote the value; the message deliberately does not (values may be personal data).
            throw new FormatException($"Property '{name}' is not a valid {edmType}.", ex);
        }
    }

    private static object ReadUntyped(string name, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when IsIntegerLiteral(value) && value.TryGetInt32(out var i) => i,
        JsonValueKind.Number => value.GetDouble(),
        _ => throw new FormatException($"Property '{name}' holds a JSON {value.ValueKind}, which is not a table value."),
    };

    private static bool IsIntegerLiteral(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.IndexOfAny(['.', 'e', 'E']) < 0;
    }

    private static double ParseDouble(string text) => text switch
    {
        "NaN" => double.NaN,
        "Infinity" or "INF" => double.PositiveInfinity,
        "-Infinity" or "-INF" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}

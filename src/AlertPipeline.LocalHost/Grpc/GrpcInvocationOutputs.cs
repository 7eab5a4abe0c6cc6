using System.Globalization;
using System.Text;
using System.Text.Json;
using AlertPipeline.LocalHost.Grpc.Messages;
using AlertPipeline.LocalHost.Transport;

namespace AlertPipeline.LocalHost.Grpc;

/// <summary>
/// A worker's <c>InvocationResponse</c> as output messages, as the Functions host writes them: an output binding's value is
/// its <c>output_data</c> entry (matched case-insensitively) and <c>$return</c>'s is <c>return_value</c>. A JSON array, a
/// string holding JSON array text or a collection gives one message per element (a string element its text, anything
/// else its JSON); a JSON string its text; other JSON its text; bytes as they are; null nothing.
/// </summary>
internal sealed class GrpcInvocationOutputs(InvocationResponse response) : IInvocationOutputs
{
    public IReadOnlyList<ReadOnlyMemory<byte>> GetOutputMessages(string bindingName, bool binary)
    {
        var value = bindingName == "$return"
            ? response.ReturnValue
            : response.OutputData.FirstOrDefault(p => string.Equals(p.Name, bindingName, StringComparison.OrdinalIgnoreCase))?.Data;
        return Expand(value);
    }

    public static IReadOnlyList<ReadOnlyMemory<byte>> Expand(TypedData? value)
    {
        switch (value?.DataCase)
        {
            case null or TypedData.DataOneofCase.None or TypedData.DataOneofCase.Http:
                return [];
            case TypedData.DataOneofCase.String:
                return TryParseArray(value.String, out var array) ? ExpandJson(array.RootElement, array) : [Utf8(value.String)];
            case TypedData.DataOneofCase.Json:
                using (var document = JsonDocument.Parse(value.Json))
                {
                    return ExpandJson(document.RootElement, null);
                }

            case TypedData.DataOneofCase.Bytes:
                return [value.Bytes.ToByteArray()];
            case TypedData.DataOneofCase.Stream:
                return [value.Stream.ToByteArray()];
            case TypedData.DataOneofCase.CollectionString:
                return [.. value.CollectionString.String.Select(s => (ReadOnlyMemory<byte>)Utf8(s))];
            case TypedData.DataOneofCase.CollectionBytes:
                return [.. value.CollectionBytes.Bytes.Select(b => (ReadOnlyMemory<byte>)b.ToByteArray())];
            case TypedData.DataOneofCase.Int:
                return [Utf8(value.Int.ToString(CultureInfo.InvariantCulture))];
            case TypedData.DataOneofCase.Double:
                return [Utf8(value.Double.ToString("R", CultureInfo.InvariantCulture))];
            default:
                return [];
        }
    }

    private static List<ReadOnlyMemory<byte>> ExpandJson(JsonElement element, IDisposable? owner)
    {
        using (owner)
        {
            var messages = new List<ReadOnlyMemory<byte>>();
            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    if (item.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
                    {
                        messages.Add(Single(item));
                    }
                }
            }
            else if (element.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
            {
                messages.Add(Single(element));
            }

            return messages;
        }
    }

    private static byte[] Single(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? Utf8(element.GetString()!) : Utf8(element.GetRawText());

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static bool TryParseArray(string text, out JsonDocument array)
    {
        array = null!;
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length < 2 || trimmed[0] != '[' || trimmed[^1] != ']')
        {
            return false;
        }

        try
        {
            array = JsonDocument.Parse(text);
            if (array.RootElement.ValueKind == JsonValueKind.Array)
            {
                return true;
            }

            array.Dispose();
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

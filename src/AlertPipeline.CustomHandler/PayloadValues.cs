using System.Globalization;
using System.Text.Json;

namespace AlertPipeline.CustomHandler;

/// <summary>
/// Undoes the host's encodings. The host runs every non-object value through <c>JsonConvert.SerializeObject</c> before
/// putting it into the body, so a string arrives as a JSON string whose content is itself a JSON string literal.
/// </summary>
internal static class PayloadValues
{
    /// <summary>
    /// The text inside <paramref name="text"/> if it is a JSON string literal (<c>"abc"</c> → <c>abc</c>), repeated up to
    /// <paramref name="maxDecodes"/> times; otherwise the text unchanged.
    /// </summary>
    public static string UnquoteJsonString(string text, int maxDecodes)
    {
        var current = text;
        for (var i = 0; i < maxDecodes && TryDecodeJsonStringLiteral(current, out var inner); i++)
        {
            current = inner;
        }

        return current;
    }

    public static bool TryDecodeJsonStringLiteral(string text, out string value)
    {
        value = string.Empty;
        var span = text.AsSpan().Trim();
        if (span.Length < 2 || span[0] != '"' || span[^1] != '"')
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            value = document.RootElement.GetString()!;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// A metadata value as plain text: a JSON string is unquoted (twice at most: <c>"\"abc\""</c> → <c>abc</c>); numbers and
    /// booleans give their literal; objects and arrays their JSON text; null gives null.
    /// </summary>
    public static string? AsText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => UnquoteJsonString(element.GetString()!, 1),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => element.GetRawText(),
    };

    /// <summary>
    /// A value that should be a JSON object or array but may arrive as a JSON string holding that JSON (defensive: older
    /// hosts and some bindings serialise objects to text).
    /// </summary>
    public static JsonElement AsStructured(JsonElement element)
    {
        var current = element;
        for (var i = 0; i < 3 && current.ValueKind == JsonValueKind.String; i++)
        {
            var text = current.GetString()!;
            var trimmed = text.AsSpan().Trim();
            if (trimmed.Length == 0 || (trimmed[0] != '{' && trimmed[0] != '[' && trimmed[0] != '"'))
            {
                return current;
            }

            try
            {
                current = JsonSerializer.Deserialize<JsonElement>(text);
            }
            catch (JsonException)
            {
                return current;
            }
        }

        return current;
    }

    /// <summary>Parses a date the way the host writes them (ISO 8601, possibly quoted a second time).</summary>
    public static bool TryParseDate(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    /// <summary>Newtonsoft's default format for a DateTimeOffset, as the host writes it.</summary>
    public static string FormatDateTimeOffset(DateTimeOffset value) =>
        value.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    /// <summary>Newtonsoft's default format for a UTC DateTime, as the host writes it.</summary>
    public static string FormatUtcDateTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>Strict base64 as the host tests it: non-empty, a multiple of four, only base64 characters and padding.</summary>
    public static bool TryDecodeStrictBase64(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length % 4 != 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            var ok = c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '/' or '=';
            if (!ok)
            {
                return false;
            }
        }

        var buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
    }

    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"a string of {element.GetString()!.Length} characters",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}

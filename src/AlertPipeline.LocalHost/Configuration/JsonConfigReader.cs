using System.Globalization;
using System.Text.Json;

namespace AlertPipeline.LocalHost.Configuration;

/// <summary>
/// Reads a JSON configuration object with case-insensitive property names (as the host's configuration binder does) and
/// reports every problem as a <see cref="FunctionAppConfigurationException"/> naming the file and the field's path.
/// </summary>
internal readonly struct JsonConfigReader
{
    private readonly JsonElement _element;

    public JsonConfigReader(string filePath, string path, JsonElement element)
    {
        FilePath = filePath;
        Path = path;
        _element = element;
    }

    public string FilePath { get; }

    public string Path { get; }

    public JsonElement Element => _element;

    public static JsonDocument ParseDocument(string filePath, string json)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new FunctionAppConfigurationException(
                filePath, null, $"is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}).", ex);
        }
    }

    public static JsonConfigReader Root(string filePath, JsonDocument document)
    {
        var reader = new JsonConfigReader(filePath, "$", document.RootElement);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new FunctionAppConfigurationException(filePath, null, $"must hold a JSON object, not {Kind(document.RootElement)}.");
        }

        return reader;
    }

    public FunctionAppConfigurationException Error(string? name, string problem) =>
        new(FilePath, name is null ? DisplayPath : Child(name), problem);

    public string DisplayPath => Path == "$" ? "(root)" : Path;

    public string Child(string name) => Path == "$" ? name : $"{Path}.{name}";

    public bool TryGet(string name, out JsonElement value)
    {
        foreach (var property in _element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind != JsonValueKind.Null)
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    public JsonConfigReader? Object(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Error(name, $"must be an object, not {Kind(value)}.");
        }

        return new JsonConfigReader(FilePath, Child(name), value);
    }

    public string? String(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Error(name, $"must be a string, not {Kind(value)}.");
    }

    public string RequiredString(string name, string why)
    {
        var value = String(name);
        return string.IsNullOrWhiteSpace(value) ? throw Error(name, $"is required {why}.") : value;
    }

    public bool? Bool(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out var parsed) => parsed,
            _ => throw Error(name, $"must be true or false, not {Kind(value)}."),
        };
    }

    public int? Int(string name, int min, int max)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        int number;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n))
        {
            number = n;
        }
        else if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s))
        {
            number = s;
        }
        else
        {
            throw Error(name, $"must be an integer, not {Describe(value)}.");
        }

        return number < min || number > max
            ? throw Error(name, $"must be between {min} and {max}, not {number}.")
            : number;
    }

    /// <summary>A TimeSpan in the host's format ("00:00:02", "1.00:00:00").</summary>
    public TimeSpan? TimeSpan(string name, TimeSpan min)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String
            || !System.TimeSpan.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var span))
        {
            throw Error(name, $"must be a time span like \"00:00:30\", not {Describe(value)}.");
        }

        return span < min ? throw Error(name, $"must be at least {min:c}, not {span:c}.") : span;
    }

    public IReadOnlyList<string>? StringArray(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error(name, $"must be an array of strings, not {Kind(value)}.");
        }

        var list = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw Error($"{name}[{index}]", $"must be a string, not {Kind(item)}.");
            }

            list.Add(item.GetString()!);
            index++;
        }

        return list;
    }

    public static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>Configuration holds no personal data, so errors may quote the value.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"\"{value.GetString()}\"",
        JsonValueKind.Number => value.GetRawText(),
        _ => Kind(value),
    };
}

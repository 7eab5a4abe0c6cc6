using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace AlertPipeline.LocalHost.Settings;

/// <summary>
/// The app settings the host and the handler see, built as Azure Functions builds them locally: the <c>Values</c> (and
/// <c>ConnectionStrings</c>) of local.settings.json, then environment variables (which win), then explicit overrides
/// (which win over both; tests and embedding code use them). Names are case-insensitive; <c>:</c> and <c>__</c> are
/// interchangeable on lookup, as in .NET configuration.
/// </summary>
public sealed class AppSettings
{
    /// <summary>The file Azure Functions Core Tools reads from the app root.</summary>
    public const string LocalSettingsFileName = "local.settings.json";

    private readonly Dictionary<string, string> _values;

    private AppSettings(Dictionary<string, string> values)
    {
        _values = values;
    }

    /// <summary>Every setting (name → value).</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>The value of <paramref name="name"/>, or null when unset.</summary>
    public string? this[string name] => Get(name);

    /// <summary>Builds the settings. <paramref name="settingsFile"/> is optional (null: none); a named file must exist.</summary>
    public static AppSettings Load(
        string? settingsFile,
        IEnumerable<KeyValuePair<string, string?>>? overrides = null,
        IDictionary? environment = null)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (settingsFile is not null)
        {
            foreach (var (key, value) in ReadLocalSettings(settingsFile))
            {
                values[key] = value;
            }
        }

        if (environment is not null)
        {
            foreach (DictionaryEntry entry in environment)
            {
                if (entry.Key is string key && entry.Value is string value)
                {
                    values[key] = value;
                }
            }
        }

        if (overrides is not null)
        {
            foreach (var (key, value) in overrides)
            {
                if (value is null)
                {
                    values.Remove(key);
                }
                else
                {
                    values[key] = value;
                }
            }
        }

        return new AppSettings(values);
    }

    /// <summary>Settings from a dictionary only (no file, no environment).</summary>
    public static AppSettings From(IEnumerable<KeyValuePair<string, string?>> values) => Load(null, values);

    public string? Get(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_values.TryGetValue(name, out var value))
        {
            return value;
        }

        if (name.Contains(':', StringComparison.Ordinal) && _values.TryGetValue(name.Replace(":", "__", StringComparison.Ordinal), out value))
        {
            return value;
        }

        if (name.Contains("__", StringComparison.Ordinal) && _values.TryGetValue(name.Replace("__", ":", StringComparison.Ordinal), out value))
        {
            return value;
        }

        return null;
    }

    /// <summary>
    /// A connection string by the name a binding gives (<c>connection</c>): the setting itself, then
    /// <c>AzureWebJobs&lt;Name&gt;</c>, then <c>ConnectionStrings:&lt;Name&gt;</c>, as the host looks them up.
    /// </summary>
    public string? GetConnectionString(string connectionName)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionName);
        return NonEmpty(Get(connectionName))
               ?? NonEmpty(Get("AzureWebJobs" + connectionName))
               ?? NonEmpty(Get("ConnectionStrings:" + connectionName));
    }

    /// <summary>True when the function is turned off by the <c>AzureWebJobs.&lt;Name&gt;.Disabled</c> app setting.</summary>
    public bool IsFunctionDisabled(string functionName)
    {
        var value = Get($"AzureWebJobs.{functionName}.Disabled") ?? Get($"AzureWebJobs__{functionName}__Disabled");
        return value is not null && (value == "1" || bool.TryParse(value, out var disabled) && disabled);
    }

    /// <summary>An optional positive integer setting; throws naming the setting when it is not one.</summary>
    public int? GetPositiveInt(string name)
    {
        var text = Get(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new LocalHostConfigurationException($"App setting {name} must be a positive whole number, not '{text}'.");
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>Reads local.settings.json: <c>IsEncrypted</c> must be false; Values are strings (numbers and booleans are taken as text).</summary>
    internal static IEnumerable<KeyValuePair<string, string>> ReadLocalSettings(string path)
    {
        if (!File.Exists(path))
        {
            throw new LocalHostConfigurationException($"{path}: the settings file does not exist.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(
                File.ReadAllText(path),
                new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new LocalHostConfigurationException($"{path}: is not valid JSON (line {(ex.LineNumber ?? 0) + 1}).", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new LocalHostConfigurationException($"{path}: must hold a JSON object with a \"Values\" object.");
            }

            var result = new List<KeyValuePair<string, string>>();
            foreach (var property in root.EnumerateObject())
            {
                if (property.NameEquals("IsEncrypted"))
                {
                    if (property.Value.ValueKind == JsonValueKind.True)
                    {
                        throw new LocalHostConfigurationException(
                            $"{path}: IsEncrypted is true; the local host reads plain settings only (run 'func settings decrypt' or write them in clear).");
                    }
                }
                else if (property.Name.Equals("Values", StringComparison.OrdinalIgnoreCase))
                {
                    result.AddRange(ReadSection(path, "Values", property.Value, prefix: string.Empty));
                }
                else if (property.Name.Equals("ConnectionStrings", StringComparison.OrdinalIgnoreCase))
                {
                    result.AddRange(ReadSection(path, "ConnectionStrings", property.Value, prefix: "ConnectionStrings:"));
                }
            }

            return result;
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> ReadSection(string path, string section, JsonElement element, string prefix)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            yield break;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new LocalHostConfigurationException($"{path}: {section} must be an object of name/value pairs.");
        }

        foreach (var setting in element.EnumerateObject())
        {
            var value = setting.Value.ValueKind switch
            {
                JsonValueKind.String => setting.Value.GetString()!,
                JsonValueKind.Number => setting.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => null,
                _ => throw new LocalHostConfigurationException(
                    $"{path}: {section}.{setting.Name} must be a string, not {(setting.Value.ValueKind == JsonValueKind.Object ? "an object" : "an array")}."),
            };
            if (value is not null)
            {
                yield return new KeyValuePair<string, string>(prefix + setting.Name, value);
            }
        }
    }
}

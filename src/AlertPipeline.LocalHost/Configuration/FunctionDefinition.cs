using System.Text.Json;

namespace AlertPipeline.LocalHost.Configuration;

/// <summary>
/// One function: its name (the folder's name) and the bindings of its function.json. Exactly one binding is a trigger.
/// </summary>
public sealed record FunctionDefinition
{
    public const string FileName = "function.json";

    public FunctionDefinition(string name, IReadOnlyList<BindingDefinition> bindings)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(bindings);
        Name = name;
        Bindings = bindings;
    }

    public string Name { get; }

    public IReadOnlyList<BindingDefinition> Bindings { get; }

    /// <summary><c>disabled: true</c> in function.json: the host loads but never triggers it.</summary>
    public bool Disabled { get; init; }

    /// <summary>
    /// Disabled by function.json or, as the host allows, by the app setting <c>AzureWebJobs.&lt;Name&gt;.Disabled</c> = true.
    /// </summary>
    public bool IsDisabled(Func<string, string?> appSettings)
    {
        ArgumentNullException.ThrowIfNull(appSettings);
        return Disabled || (bool.TryParse(appSettings($"AzureWebJobs.{Name}.Disabled"), out var disabled) && disabled);
    }

    /// <summary>The function.json this was read from, or null for a definition made in code.</summary>
    public string? SourcePath { get; init; }

    /// <summary>The one trigger binding.</summary>
    public BindingDefinition Trigger => Bindings.Single(b => b.IsTrigger);

    public IEnumerable<BindingDefinition> Outputs => Bindings.Where(b => b.Direction is BindingDirection.Out or BindingDirection.InOut);

    /// <summary>The binding named <paramref name="name"/> (case-insensitive), or null.</summary>
    public BindingDefinition? FindBinding(string name) =>
        Bindings.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses a function.json text for the function <paramref name="name"/>.</summary>
    public static FunctionDefinition Parse(string name, string json, string sourcePath, Func<string, string?>? appSettings = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonConfigReader.ParseDocument(sourcePath, json);
        var root = JsonConfigReader.Root(sourcePath, document);
        if (!root.TryGet("bindings", out var bindingsElement) || bindingsElement.ValueKind != JsonValueKind.Array)
        {
            throw root.Error("bindings", "is required: an array holding one trigger binding and any output bindings.");
        }

        var bindings = new List<BindingDefinition>();
        var index = 0;
        foreach (var element in bindingsElement.EnumerateArray())
        {
            var reader = new JsonConfigReader(sourcePath, $"bindings[{index}]", element);
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw reader.Error(null, $"must be an object, not {JsonConfigReader.Kind(element)}.");
            }

            var binding = BindingReader.Read(reader, appSettings);
            if (bindings.Any(b => string.Equals(b.Name, binding.Name, StringComparison.OrdinalIgnoreCase)))
            {
                throw reader.Error("name", $"\"{binding.Name}\" is used by another binding of this function.");
            }

            bindings.Add(binding);
            index++;
        }

        var triggers = bindings.Where(b => b.IsTrigger).ToList();
        if (triggers.Count != 1)
        {
            throw root.Error("bindings", triggers.Count == 0
                ? "has no trigger binding (queueTrigger, serviceBusTrigger, timerTrigger or httpTrigger)."
                : $"has {triggers.Count} trigger bindings ({string.Join(", ", triggers.Select(t => t.Name))}); a function has exactly one.");
        }

        return new FunctionDefinition(name, bindings)
        {
            Disabled = root.Bool("disabled") ?? false,
            SourcePath = sourcePath,
        };
    }
}

/// <summary>Reads and validates one binding object.</summary>
internal static class BindingReader
{
    public static BindingDefinition Read(JsonConfigReader reader, Func<string, string?>? appSettings)
    {
        var type = reader.RequiredString("type", "(queueTrigger, serviceBusTrigger, timerTrigger, httpTrigger, queue, serviceBus, http)");
        var name = reader.RequiredString("name", "(the key of this binding in Data or Outputs)");
        if (!IsValidName(name))
        {
            throw reader.Error("name", $"\"{name}\" must start with a letter and hold only letters, digits and '_' (or be \"$return\").");
        }

        var directionText = reader.RequiredString("direction", "(\"in\" or \"out\")");
        var direction = directionText.ToLowerInvariant() switch
        {
            "in" => BindingDirection.In,
            "out" => BindingDirection.Out,
            "inout" => BindingDirection.InOut,
            _ => throw reader.Error("direction", $"must be \"in\", \"out\" or \"inout\", not \"{directionText}\"."),
        };
        var dataTypeText = reader.String("dataType");
        var dataType = dataTypeText?.ToLowerInvariant() switch
        {
            null => BindingDataType.Default,
            "string" => BindingDataType.String,
            "binary" => BindingDataType.Binary,
            "stream" => BindingDataType.Stream,
            _ => throw reader.Error("dataType", $"must be \"string\", \"binary\" or \"stream\", not \"{dataTypeText}\"."),
        };

        BindingDefinition binding = type.ToLowerInvariant() switch
        {
            "queuetrigger" => new QueueTriggerBinding(
                name, QueueName(reader, "queueName", type, appSettings), reader.String("connection") ?? BindingTypes.DefaultStorageConnection),
            "queue" => new QueueOutputBinding(
                name, QueueName(reader, "queueName", type, appSettings), reader.String("connection") ?? BindingTypes.DefaultStorageConnection),
            "servicebustrigger" => ReadServiceBusTrigger(reader, name, type, appSettings),
            "servicebus" => ReadServiceBusOutput(reader, name, type, appSettings),
            "timertrigger" => new TimerTriggerBinding(name, Resolve(reader, "schedule", reader.RequiredString("schedule", "for a timerTrigger (e.g. \"0 */5 * * * *\")"), appSettings))
            {
                RunOnStartup = reader.Bool("runOnStartup") ?? false,
                UseMonitor = reader.Bool("useMonitor") ?? true,
            },
            "httptrigger" => ReadHttpTrigger(reader, name),
            "http" => new HttpOutputBinding(name),
            _ => new OtherBinding(name, type, direction),
        };

        var expected = binding.IsTrigger ? BindingDirection.In : binding is OtherBinding ? direction : BindingDirection.Out;
        if (direction != expected)
        {
            throw reader.Error("direction", $"must be \"{expected.ToString().ToLowerInvariant()}\" for a {type} binding, not \"{directionText}\".");
        }

        return binding with { DataType = dataType };
    }

    private static ServiceBusTriggerBinding ReadServiceBusTrigger(JsonConfigReader reader, string name, string type, Func<string, string?>? appSettings)
    {
        var queue = OptionalEntity(reader, "queueName", appSettings);
        var topic = OptionalEntity(reader, "topicName", appSettings);
        var subscription = OptionalEntity(reader, "subscriptionName", appSettings);
        if (queue is null == (topic is null))
        {
            throw reader.Error(queue is null ? "queueName" : "topicName",
                $"a {type} binding names either queueName, or topicName with subscriptionName.");
        }

        if (topic is not null && subscription is null)
        {
            throw reader.Error("subscriptionName", $"is required with topicName in a {type} binding.");
        }

        var cardinality = (reader.String("cardinality") ?? "one").ToLowerInvariant();
        if (cardinality is not ("one" or "many"))
        {
            throw reader.Error("cardinality", $"must be \"one\" or \"many\", not \"{cardinality}\".");
        }

        return new ServiceBusTriggerBinding(name, queue, reader.String("connection") ?? BindingTypes.DefaultServiceBusConnection)
        {
            TopicName = topic,
            SubscriptionName = subscription,
            IsSessionsEnabled = reader.Bool("isSessionsEnabled") ?? false,
            Cardinality = cardinality,
        };
    }

    private static ServiceBusOutputBinding ReadServiceBusOutput(JsonConfigReader reader, string name, string type, Func<string, string?>? appSettings)
    {
        var queue = OptionalEntity(reader, "queueName", appSettings);
        var topic = OptionalEntity(reader, "topicName", appSettings);
        if (queue is null == (topic is null))
        {
            throw reader.Error(queue is null ? "queueName" : "topicName", $"a {type} binding names either queueName or topicName.");
        }

        return new ServiceBusOutputBinding(name, queue, reader.String("connection") ?? BindingTypes.DefaultServiceBusConnection)
        {
            TopicName = topic,
        };
    }

    private static HttpTriggerBinding ReadHttpTrigger(JsonConfigReader reader, string name)
    {
        var authLevel = (reader.String("authLevel") ?? HttpAuthLevels.Function).ToLowerInvariant();
        if (authLevel is not (HttpAuthLevels.Anonymous or HttpAuthLevels.Function or HttpAuthLevels.Admin))
        {
            throw reader.Error("authLevel", $"must be \"anonymous\", \"function\" or \"admin\", not \"{authLevel}\".");
        }

        var methods = reader.StringArray("methods") ?? [];
        string[] known = ["get", "post", "put", "patch", "delete", "head", "options", "trace"];
        for (var i = 0; i < methods.Count; i++)
        {
            if (!known.Contains(methods[i].ToLowerInvariant()))
            {
                throw reader.Error($"methods[{i}]", $"\"{methods[i]}\" is not an HTTP method.");
            }
        }

        var route = reader.String("route");
        return new HttpTriggerBinding(name, string.IsNullOrWhiteSpace(route) ? null : route.Trim('/'), methods, authLevel);
    }

    private static string QueueName(JsonConfigReader reader, string field, string type, Func<string, string?>? appSettings)
    {
        var value = reader.RequiredString(field, $"for a {type} binding");
        var resolved = Resolve(reader, field, value, appSettings);
        ValidateQueueName(reader, field, resolved);
        return resolved;
    }

    private static string? OptionalEntity(JsonConfigReader reader, string field, Func<string, string?>? appSettings)
    {
        var value = reader.String(field);
        return string.IsNullOrWhiteSpace(value) ? null : Resolve(reader, field, value, appSettings);
    }

    private static string Resolve(JsonConfigReader reader, string field, string value, Func<string, string?>? appSettings)
    {
        if (appSettings is null)
        {
            return value;
        }

        return AppSettingExpression.TryResolve(value, appSettings, out var resolved, out var missing)
            ? resolved
            : throw reader.Error(field, $"refers to app setting '{missing}', which is not set.");
    }

    /// <summary>Storage queue naming rules (3–63 characters, lower-case letters, digits, single hyphens), checked once resolved.</summary>
    private static void ValidateQueueName(JsonConfigReader reader, string field, string name)
    {
        if (AppSettingExpression.HasPlaceholders(name))
        {
            return;
        }

        var valid = name.Length is >= 3 and <= 63
                    && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
                    && name[0] != '-' && name[^1] != '-'
                    && !name.Contains("--", StringComparison.Ordinal);
        if (!valid)
        {
            throw reader.Error(field, $"\"{name}\" is not a valid queue name (3–63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit).");
        }
    }

    private static bool IsValidName(string name) =>
        name == "$return" || (char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'));
}

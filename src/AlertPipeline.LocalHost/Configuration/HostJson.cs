using System.Text.Json;

namespace AlertPipeline.LocalHost.Configuration;

/// <summary>
/// The parts of a host.json (version 2.0) our local host uses for an isolated-worker app. Property names are read
/// case-insensitively; unknown sections are ignored, as the host ignores them; every known value is validated with an
/// error naming the file and field.
/// </summary>
public sealed record HostJson
{
    public const string FileName = "host.json";

    public required string Version { get; init; }

    public ExtensionBundle? ExtensionBundle { get; init; }

    /// <summary><c>functionTimeout</c>, when set: the host restarts the handler when an invocation runs longer.</summary>
    public TimeSpan? FunctionTimeout { get; init; }

    public QueuesOptions Queues { get; init; } = new();

    public ServiceBusOptions ServiceBus { get; init; } = new();

    public HttpOptions Http { get; init; } = new();

    /// <summary>The raw <c>logging</c> section, if any.</summary>
    public JsonElement? Logging { get; init; }

    /// <summary>The file this was read from (for messages), or "host.json".</summary>
    public string SourcePath { get; init; } = FileName;

    public static HostJson Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FunctionAppConfigurationException(path, null, "does not exist.");
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static HostJson Parse(string json, string sourcePath = FileName)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonConfigReader.ParseDocument(sourcePath, json);
        var root = JsonConfigReader.Root(sourcePath, document);

        var version = root.RequiredString("version", "(\"2.0\")");
        if (version != "2.0")
        {
            throw root.Error("version", $"must be \"2.0\", not \"{version}\".");
        }

        var extensions = root.Object("extensions");
        var bundle = root.Object("extensionBundle");

        return new HostJson
        {
            Version = version,
            ExtensionBundle = bundle is { } b
                ? new ExtensionBundle(b.RequiredString("id", "in an extension bundle"), b.RequiredString("version", "in an extension bundle"))
                : null,
            FunctionTimeout = root.TimeSpan("functionTimeout", TimeSpan.FromSeconds(1)),
            Queues = extensions?.Object("queues") is { } queues ? QueuesOptions.Read(queues) : new QueuesOptions(),
            ServiceBus = extensions?.Object("serviceBus") is { } serviceBus ? ServiceBusOptions.Read(serviceBus) : new ServiceBusOptions(),
            Http = extensions?.Object("http") is { } http ? HttpOptions.Read(http) : new HttpOptions(),
            Logging = root.TryGet("logging", out var logging) ? logging.Clone() : null,
            SourcePath = sourcePath,
        };
    }
}

/// <summary><c>extensionBundle</c>: which binding extensions the host loads (queues, Service Bus, timers, HTTP).</summary>
public sealed record ExtensionBundle(string Id, string Version);

/// <summary>Message encodings a queue trigger accepts (<c>extensions.queues.messageEncoding</c>).</summary>
public enum QueueMessageEncoding
{
    Base64,
    None,
}

/// <summary><c>extensions.queues</c> with the Storage extension's defaults (reference: functions-triggers.md).</summary>
public sealed record QueuesOptions
{
    public const int DefaultBatchSize = 16;
    public const int MaxBatchSize = 32;
    public static readonly TimeSpan DefaultMaxPollingInterval = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);
    public const int DefaultMaxDequeueCount = 5;

    /// <summary>Messages fetched per poll (1..32, default 16).</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>As written in host.json; null means the default, see <see cref="GetNewBatchThreshold"/>.</summary>
    public int? NewBatchThreshold { get; init; }

    /// <summary>The longest wait between empty polls (at least 100 ms, default 1 minute).</summary>
    public TimeSpan MaxPollingInterval { get; init; } = DefaultMaxPollingInterval;

    /// <summary>How long a failed message stays invisible before its retry (default 0: at once).</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>Deliveries before a failing message moves to <c>&lt;queue&gt;-poison</c> (default 5).</summary>
    public int MaxDequeueCount { get; init; } = DefaultMaxDequeueCount;

    public QueueMessageEncoding MessageEncoding { get; init; } = QueueMessageEncoding.Base64;

    /// <summary>Fetch again once in-flight messages are at or below this: the configured value, or (batchSize / 2) × processors.</summary>
    public int GetNewBatchThreshold(int processorCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(processorCount, 1);
        return NewBatchThreshold ?? BatchSize / 2 * processorCount;
    }

    internal static QueuesOptions Read(JsonConfigReader section)
    {
        var encoding = section.String("messageEncoding");
        return new QueuesOptions
        {
            BatchSize = section.Int("batchSize", 1, MaxBatchSize) ?? DefaultBatchSize,
            NewBatchThreshold = section.Int("newBatchThreshold", 0, int.MaxValue),
            MaxPollingInterval = section.TimeSpan("maxPollingInterval", MinPollingInterval) ?? DefaultMaxPollingInterval,
            VisibilityTimeout = section.TimeSpan("visibilityTimeout", TimeSpan.Zero) ?? TimeSpan.Zero,
            MaxDequeueCount = section.Int("maxDequeueCount", 1, int.MaxValue) ?? DefaultMaxDequeueCount,
            MessageEncoding = encoding?.ToLowerInvariant() switch
            {
                null or "base64" => QueueMessageEncoding.Base64,
                "none" => QueueMessageEncoding.None,
                _ => throw section.Error("messageEncoding", $"must be \"base64\" or \"none\", not \"{encoding}\"."),
            },
        };
    }
}

/// <summary><c>extensions.serviceBus</c> (v5 extension format) with its defaults, plus the entity's MaxDeliveryCount.</summary>
public sealed record ServiceBusOptions
{
    public const int DefaultMaxConcurrentCallsPerProcessor = 16;
    public static readonly TimeSpan DefaultMaxAutoLockRenewalDuration = TimeSpan.FromMinutes(5);
    public const int DefaultMaxConcurrentSessions = 8;
    public const int DefaultMaxMessageBatchSize = 1000;

    /// <summary>Service Bus entities' default MaxDeliveryCount; locally, the poison queue plays the dead-letter queue's part after it.</summary>
    public const int DefaultMaxDeliveryCount = 10;

    /// <summary>As written in host.json; null means 16 × processors, see <see cref="GetMaxConcurrentCalls"/>.</summary>
    public int? MaxConcurrentCalls { get; init; }

    public bool AutoCompleteMessages { get; init; } = true;

    public TimeSpan MaxAutoLockRenewalDuration { get; init; } = DefaultMaxAutoLockRenewalDuration;

    public int PrefetchCount { get; init; }

    public int MaxConcurrentSessions { get; init; } = DefaultMaxConcurrentSessions;

    public int MaxMessageBatchSize { get; init; } = DefaultMaxMessageBatchSize;

    /// <summary>
    /// Not a host.json setting: a property of each Service Bus entity (set by infra/ in Azure). The local host, which maps
    /// entities to Azurite queues, uses it to decide when a message goes to the poison (dead-letter) queue.
    /// </summary>
    public int MaxDeliveryCount { get; init; } = DefaultMaxDeliveryCount;

    public int GetMaxConcurrentCalls(int processorCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(processorCount, 1);
        return MaxConcurrentCalls ?? DefaultMaxConcurrentCallsPerProcessor * processorCount;
    }

    internal static ServiceBusOptions Read(JsonConfigReader section) => new()
    {
        MaxConcurrentCalls = section.Int("maxConcurrentCalls", 1, int.MaxValue),
        AutoCompleteMessages = section.Bool("autoCompleteMessages") ?? true,
        MaxAutoLockRenewalDuration = section.TimeSpan("maxAutoLockRenewalDuration", TimeSpan.Zero) ?? DefaultMaxAutoLockRenewalDuration,
        PrefetchCount = section.Int("prefetchCount", 0, int.MaxValue) ?? 0,
        MaxConcurrentSessions = section.Int("maxConcurrentSessions", 1, int.MaxValue) ?? DefaultMaxConcurrentSessions,
        MaxMessageBatchSize = section.Int("maxMessageBatchSize", 1, int.MaxValue) ?? DefaultMaxMessageBatchSize,
    };
}

/// <summary><c>extensions.http</c>.</summary>
public sealed record HttpOptions
{
    public const string DefaultRoutePrefix = "api";

    /// <summary>The path prefix of every HTTP-triggered function (default "api"; "" for none). Stored without slashes.</summary>
    public string RoutePrefix { get; init; } = DefaultRoutePrefix;

    /// <summary>The request path of an HTTP function's route: <c>/api/twilio/status</c>.</summary>
    public string PathFor(string route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var trimmed = route.Trim('/');
        return RoutePrefix.Length == 0 ? "/" + trimmed : $"/{RoutePrefix}/{trimmed}";
    }

    internal static HttpOptions Read(JsonConfigReader section) => new()
    {
        RoutePrefix = (section.String("routePrefix") ?? DefaultRoutePrefix).Trim('/'),
    };
}

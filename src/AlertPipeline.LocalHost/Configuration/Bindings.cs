namespace AlertPipeline.LocalHost.Configuration;

public enum BindingDirection
{
    In,
    Out,
    InOut,
}

/// <summary><c>dataType</c> of a binding: unset (the default, string), <c>string</c>, <c>binary</c> or <c>stream</c>.</summary>
public enum BindingDataType
{
    Default,
    String,
    Binary,
    Stream,
}

/// <summary>One entry of a function.json <c>bindings</c> array.</summary>
public abstract record BindingDefinition
{
    protected BindingDefinition(string name, BindingDirection direction)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Direction = direction;
    }

    /// <summary>The binding's name: the key in <c>Data</c> (inputs) or <c>Outputs</c> (outputs).</summary>
    public string Name { get; init; }

    public BindingDirection Direction { get; init; }

    public BindingDataType DataType { get; init; }

    /// <summary>The <c>type</c> as function.json spells it (<c>queueTrigger</c>, <c>serviceBus</c>, …).</summary>
    public abstract string Type { get; }

    public virtual bool IsTrigger => false;

    public bool IsBinary => DataType == BindingDataType.Binary;
}

/// <summary>Well-known binding type names and connection defaults.</summary>
public static class BindingTypes
{
    public const string QueueTrigger = "queueTrigger";
    public const string Queue = "queue";
    public const string ServiceBusTrigger = "serviceBusTrigger";
    public const string ServiceBus = "serviceBus";
    public const string TimerTrigger = "timerTrigger";
    public const string HttpTrigger = "httpTrigger";
    public const string Http = "http";

    /// <summary>The connection setting a queue binding uses when function.json names none.</summary>
    public const string DefaultStorageConnection = "AzureWebJobsStorage";

    /// <summary>The connection setting a Service Bus binding uses when function.json names none.</summary>
    public const string DefaultServiceBusConnection = "AzureWebJobsServiceBus";
}

/// <summary><c>queueTrigger</c>: a Storage queue trigger.</summary>
public sealed record QueueTriggerBinding(string Name, string QueueName, string Connection = BindingTypes.DefaultStorageConnection)
    : BindingDefinition(Name, BindingDirection.In)
{
    public override string Type => BindingTypes.QueueTrigger;

    public override bool IsTrigger => true;

    /// <summary>Where failing messages go after maxDequeueCount deliveries.</summary>
    public string PoisonQueueName => QueueName + "-poison";
}

/// <summary><c>queue</c> (out): writes Storage queue messages.</summary>
public sealed record QueueOutputBinding(string Name, string QueueName, string Connection = BindingTypes.DefaultStorageConnection)
    : BindingDefinition(Name, BindingDirection.Out)
{
    public override string Type => BindingTypes.Queue;
}

/// <summary><c>serviceBusTrigger</c>: a Service Bus queue (<see cref="QueueName"/>) or topic subscription trigger.</summary>
public sealed record ServiceBusTriggerBinding : BindingDefinition
{
    public ServiceBusTriggerBinding(string name, string? queueName, string connection = BindingTypes.DefaultServiceBusConnection)
        : base(name, BindingDirection.In)
    {
        QueueName = queueName;
        Connection = connection;
    }

    public string? QueueName { get; init; }

    public string? TopicName { get; init; }

    public string? SubscriptionName { get; init; }

    public string Connection { get; init; }

    public bool IsSessionsEnabled { get; init; }

    /// <summary><c>cardinality</c>: "one" (default) or "many" (batches).</summary>
    public string Cardinality { get; init; } = "one";

    /// <summary>The entity path: the queue, or <c>topic/Subscriptions/subscription</c>.</summary>
    public string EntityPath => QueueName ?? $"{TopicName}/Subscriptions/{SubscriptionName}";

    public override string Type => BindingTypes.ServiceBusTrigger;

    public override bool IsTrigger => true;
}

/// <summary><c>serviceBus</c> (out): sends Service Bus messages to a queue or topic.</summary>
public sealed record ServiceBusOutputBinding : BindingDefinition
{
    public ServiceBusOutputBinding(string name, string? queueName, string connection = BindingTypes.DefaultServiceBusConnection)
        : base(name, BindingDirection.Out)
    {
        QueueName = queueName;
        Connection = connection;
    }

    public string? QueueName { get; init; }

    public string? TopicName { get; init; }

    public string Connection { get; init; }

    public string EntityPath => QueueName ?? TopicName!;

    public override string Type => BindingTypes.ServiceBus;
}

/// <summary><c>timerTrigger</c>: a six-field NCRONTAB <see cref="Schedule"/> (or a TimeSpan like "00:05:00").</summary>
public sealed record TimerTriggerBinding(string Name, string Schedule) : BindingDefinition(Name, BindingDirection.In)
{
    public bool RunOnStartup { get; init; }

    /// <summary><c>useMonitor</c>: keep schedule status for past-due detection (the host's default is true).</summary>
    public bool UseMonitor { get; init; } = true;

    public override string Type => BindingTypes.TimerTrigger;

    public override bool IsTrigger => true;
}

/// <summary>Authorization levels of an HTTP trigger.</summary>
public static class HttpAuthLevels
{
    public const string Anonymous = "anonymous";
    public const string Function = "function";
    public const string Admin = "admin";
}

/// <summary><c>httpTrigger</c>: <see cref="Methods"/> lower-case (empty = every method), <see cref="Route"/> null = the function name.</summary>
public sealed record HttpTriggerBinding : BindingDefinition
{
    public HttpTriggerBinding(string name, string? route, IReadOnlyList<string> methods, string authLevel = HttpAuthLevels.Function)
        : base(name, BindingDirection.In)
    {
        Route = route;
        Methods = methods.Select(m => m.ToLowerInvariant()).ToArray();
        AuthLevel = authLevel.ToLowerInvariant();
    }

    public string? Route { get; init; }

    public IReadOnlyList<string> Methods { get; init; }

    public string AuthLevel { get; init; }

    public override string Type => BindingTypes.HttpTrigger;

    public override bool IsTrigger => true;

    /// <summary>The route relative to the prefix: <see cref="Route"/>, or the function name when unset.</summary>
    public string EffectiveRoute(string functionName) => string.IsNullOrEmpty(Route) ? functionName : Route.Trim('/');
}

/// <summary><c>http</c> (out): the response of an HTTP-triggered function.</summary>
public sealed record HttpOutputBinding(string Name) : BindingDefinition(Name, BindingDirection.Out)
{
    public override string Type => BindingTypes.Http;
}

/// <summary>A binding type this library does not model (blob, table, …): kept so the app can load, for the local host to refuse or ignore.</summary>
public sealed record OtherBinding : BindingDefinition
{
    private readonly string _type;

    public OtherBinding(string name, string type, BindingDirection direction)
        : base(name, direction)
    {
        _type = type;
    }

    public override string Type => _type;

    public override bool IsTrigger => _type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);
}

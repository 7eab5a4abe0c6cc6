using AlertPipeline.LocalHost.Configuration;
using Azure.Storage.Queues;
using AlertPipeline.LocalHost.Http;
using AlertPipeline.LocalHost.Queues;
using AlertPipeline.LocalHost.Settings;
using AlertPipeline.LocalHost.Timers;
using QueueMessageEncoding = AlertPipeline.LocalHost.Configuration.QueueMessageEncoding;

namespace AlertPipeline.LocalHost;

/// <summary>A timer function, its schedule parsed.</summary>
internal sealed record TimerPlan(string Name, TimerTriggerBinding Binding, TimerSchedule Schedule, IReadOnlyList<OutputTarget> Outputs);

/// <summary>
/// What the host will run, worked out (and validated) before anything starts: one listener per queue or Service Bus
/// function, one runner per timer, the HTTP routes. Every problem is a <see cref="LocalHostConfigurationException"/>
/// naming the function and the binding or field.
/// </summary>
internal sealed class HostPlan
{
    /// <summary>The most Service Bus messages one receive takes (the Queue service's limit).</summary>
    private const int ServiceBusReceiveBatch = 32;

    /// <summary>Service Bus pushes messages; the mapped queues are polled at least this often when idle.</summary>
    private static readonly TimeSpan ServiceBusMaxPollingInterval = TimeSpan.FromSeconds(1);

    private readonly List<ListenerSettings> _listeners = [];
    private readonly List<TimerPlan> _timers = [];
    private readonly List<HttpFunction> _http = [];
    private readonly List<TimerPlan> _disabledTimers = [];
    private readonly Dictionary<string, string> _triggerTypes = new(StringComparer.OrdinalIgnoreCase);

    private HostPlan()
    {
    }

    public QueueConnections Connections { get; } = new();

    public IReadOnlyList<ListenerSettings> Listeners => _listeners;

    public IReadOnlyList<TimerPlan> Timers => _timers;

    public IReadOnlyList<HttpFunction> Http => _http;

    /// <summary>Timer functions the admin API can run: the scheduled ones and the disabled ones (as Azure, with the master key).</summary>
    public IReadOnlyList<TimerPlan> AdminTimers => [.. _timers, .. _disabledTimers];

    /// <summary>Every function's trigger type, by name (case-insensitive), disabled ones included.</summary>
    public IReadOnlyDictionary<string, string> TriggerTypes => _triggerTypes;

    public static HostPlan Build(FunctionAppLayout app, AppSettings settings, FunctionsLocalHostOptions options, ILogger logger)
    {
        var plan = new HostPlan();
        var timeZone = TimerSchedule.ResolveTimeZone(settings["WEBSITE_TIME_ZONE"]);
        var maxDeliveryCount = options.MaxDeliveryCount
                               ?? settings.GetPositiveInt(FunctionsLocalHostOptions.MaxDeliveryCountSetting)
                               ?? ServiceBusOptions.DefaultMaxDeliveryCount;
        if (maxDeliveryCount < 1)
        {
            throw new LocalHostConfigurationException($"MaxDeliveryCount must be at least 1, not {maxDeliveryCount}.");
        }

        foreach (var function in app.Functions)
        {
            plan._triggerTypes[function.Name] = function.Trigger.Type;
            if (function.Disabled)
            {
                LocalHostLog.FunctionDisabled(logger, function.Name, "disabled in function.json");
                plan.AddDisabledTimer(function, app, settings, timeZone, logger);
                continue;
            }

            if (settings.IsFunctionDisabled(function.Name))
            {
                LocalHostLog.FunctionDisabled(logger, function.Name, $"app setting AzureWebJobs.{function.Name}.Disabled");
                plan.AddDisabledTimer(function, app, settings, timeZone, logger);
                continue;
            }

            var outputs = plan.Outputs(function, app, settings, logger);
            switch (function.Trigger)
            {
                case QueueTriggerBinding queue:
                    plan.AddQueueTrigger(function, queue, app.Host.Queues, options, settings, outputs);
                    LocalHostLog.FunctionLoaded(logger, function.Name, queue.Type, "queue " + queue.QueueName);
                    break;
                case ServiceBusTriggerBinding serviceBus:
                    plan.AddServiceBusTrigger(function, serviceBus, app.Host.ServiceBus, options, settings, maxDeliveryCount, outputs, logger);
                    LocalHostLog.FunctionLoaded(logger, function.Name, serviceBus.Type, "queue " + serviceBus.QueueName);
                    break;
                case TimerTriggerBinding timer:
                    plan._timers.Add(new TimerPlan(function.Name, timer, ParseSchedule(function, timer, timeZone), outputs));
                    LocalHostLog.FunctionLoaded(logger, function.Name, timer.Type, timer.Schedule);
                    break;
                case HttpTriggerBinding http:
                    var path = app.Host.Http.PathFor(http.EffectiveRoute(function.Name));
                    var httpOutput = function.Outputs.OfType<HttpOutputBinding>().FirstOrDefault();
                    // The isolated worker serves every HTTP function itself: the request is always forwarded to it.
                    plan._http.Add(new HttpFunction(function.Name, http, path, httpOutput?.Name, outputs));
                    LocalHostLog.FunctionLoaded(logger, function.Name, http.Type, path + " (forwarded)");
                    break;
                default:
                    LocalHostLog.FunctionWarning(logger, function.Name, $"the trigger type '{function.Trigger.Type}' is not supported by the local host; the function does not run.");
                    break;
            }
        }

        return plan;
    }

    /// <summary>A disabled timer function stays runnable through the admin API, if its bindings can be resolved.</summary>
    private void AddDisabledTimer(FunctionDefinition function, FunctionAppLayout app, AppSettings settings, TimeZoneInfo timeZone, ILogger logger)
    {
        if (function.Trigger is not TimerTriggerBinding timer)
        {
            return;
        }

        try
        {
            _disabledTimers.Add(new TimerPlan(function.Name, timer, ParseSchedule(function, timer, timeZone), Outputs(function, app, settings, logger)));
        }
        catch (LocalHostConfigurationException ex)
        {
            LocalHostLog.FunctionWarning(logger, function.Name, "disabled, and not runnable through the admin API either: " + ex.Message);
        }
    }

    private void AddQueueTrigger(
        FunctionDefinition function, QueueTriggerBinding trigger, QueuesOptions queues, FunctionsLocalHostOptions options, AppSettings settings, List<OutputTarget> outputs)
    {
        var connection = StorageConnection(function, trigger.Name, trigger.Connection, settings);
        _listeners.Add(new ListenerSettings
        {
            Kind = TriggerKind.StorageQueue,
            FunctionName = function.Name,
            BindingName = trigger.Name,
            Binary = trigger.IsBinary,
            Queue = Queue(function, trigger.Name, connection, trigger.QueueName, queues.MessageEncoding == QueueMessageEncoding.Base64),
            PoisonQueue = Queue(function, trigger.Name, connection, trigger.PoisonQueueName, base64: false),
            BatchSize = queues.BatchSize,
            NewBatchThreshold = queues.GetNewBatchThreshold(Environment.ProcessorCount),
            MaxPollingInterval = queues.MaxPollingInterval,
            Lease = options.LeaseDuration,
            RetryVisibility = queues.VisibilityTimeout,
            MaxAttempts = queues.MaxDequeueCount,
            Base64 = queues.MessageEncoding == QueueMessageEncoding.Base64,
            Outputs = outputs,
        });
    }

    private void AddServiceBusTrigger(
        FunctionDefinition function,
        ServiceBusTriggerBinding trigger,
        ServiceBusOptions serviceBus,
        FunctionsLocalHostOptions options,
        AppSettings settings,
        int maxDeliveryCount,
        List<OutputTarget> outputs,
        ILogger logger)
    {
        if (trigger.QueueName is null)
        {
            throw Problem(function, trigger.Name, $"listens to topic '{trigger.TopicName}'; the local host maps Service Bus queues only (topics are not supported).");
        }

        if (trigger.Cardinality == "many")
        {
            throw Problem(function, trigger.Name, "has cardinality \"many\"; the local host invokes Service Bus functions one message at a time only.");
        }

        if (trigger.IsSessionsEnabled)
        {
            LocalHostLog.FunctionWarning(logger, function.Name, "isSessionsEnabled is ignored locally: messages are not grouped or ordered by session.");
        }

        var connection = ServiceBusConnection(function, trigger.Name, trigger.Connection, settings, logger);
        // Service Bus names allow capitals, Azurite queue names do not: the mapped queue is the lower-cased name.
        var queueName = trigger.QueueName.ToLowerInvariant();
        _listeners.Add(new ListenerSettings
        {
            Kind = TriggerKind.ServiceBus,
            FunctionName = function.Name,
            BindingName = trigger.Name,
            Binary = trigger.IsBinary,
            Queue = Queue(function, trigger.Name, connection, queueName, base64: true),
            PoisonQueue = Queue(function, trigger.Name, connection, queueName + "-poison", base64: false),
            BatchSize = ServiceBusReceiveBatch,
            MaxConcurrentCalls = serviceBus.GetMaxConcurrentCalls(Environment.ProcessorCount),
            MaxPollingInterval = ServiceBusMaxPollingInterval,
            Lease = options.LeaseDuration,
            MaxRenewalDuration = serviceBus.MaxAutoLockRenewalDuration > TimeSpan.Zero ? serviceBus.MaxAutoLockRenewalDuration : null,
            RetryVisibility = TimeSpan.Zero,
            MaxAttempts = maxDeliveryCount,
            Base64 = true,
            Outputs = outputs,
        });
    }

    private List<OutputTarget> Outputs(FunctionDefinition function, FunctionAppLayout app, AppSettings settings, ILogger logger)
    {
        var targets = new List<OutputTarget>();
        foreach (var binding in function.Outputs)
        {
            switch (binding)
            {
                case QueueOutputBinding queue:
                    var storage = StorageConnection(function, queue.Name, queue.Connection, settings);
                    var base64 = app.Host.Queues.MessageEncoding == QueueMessageEncoding.Base64;
                    targets.Add(new OutputTarget(
                        queue.Name, queue.Type, Queue(function, queue.Name, storage, queue.QueueName, base64), queue.IsBinary, base64));
                    break;
                case ServiceBusOutputBinding serviceBus:
                    if (serviceBus.QueueName is null)
                    {
                        throw Problem(function, serviceBus.Name, $"sends to topic '{serviceBus.TopicName}'; the local host maps Service Bus queues only (topics are not supported).");
                    }

                    var connection = ServiceBusConnection(function, serviceBus.Name, serviceBus.Connection, settings, logger);
                    targets.Add(new OutputTarget(
                        serviceBus.Name, serviceBus.Type, Queue(function, serviceBus.Name, connection, serviceBus.QueueName.ToLowerInvariant(), base64: true),
                        serviceBus.IsBinary, Base64: true));
                    break;
                case HttpOutputBinding:
                    break;
                default:
                    LocalHostLog.FunctionWarning(logger, function.Name, $"output binding '{binding.Name}' of type '{binding.Type}' is not supported locally; its values are dropped.");
                    break;
            }
        }

        return targets;
    }

    private QueueClient Queue(FunctionDefinition function, string bindingName, string connectionString, string queueName, bool base64)
    {
        try
        {
            return Connections.GetQueue(connectionString, queueName, base64);
        }
        catch (ArgumentException ex)
        {
            throw Problem(function, bindingName, ex.Message);
        }
    }

    private static string StorageConnection(FunctionDefinition function, string bindingName, string connectionName, AppSettings settings)
    {
        var value = settings.GetConnectionString(connectionName)
                    ?? throw Problem(function, bindingName, $"uses the connection '{connectionName}', which is not set (add it to local.settings.json Values or the environment).");
        return ValidStorage(value)
            ? value
            : throw Problem(function, bindingName, $"uses the connection '{connectionName}', which is not a storage connection string with an account key (Azurite: UseDevelopmentStorage=true).");
    }

    /// <summary>Service Bus entities live in Azurite: a storage connection string is used as is; anything else falls back to AzureWebJobsStorage.</summary>
    private static string ServiceBusConnection(FunctionDefinition function, string bindingName, string connectionName, AppSettings settings, ILogger logger)
    {
        var value = settings.GetConnectionString(connectionName);
        if (value is not null && ValidStorage(value))
        {
            return value;
        }

        var storage = settings.GetConnectionString(BindingTypes.DefaultStorageConnection);
        if (storage is null || !ValidStorage(storage))
        {
            throw Problem(function, bindingName,
                $"uses the Service Bus connection '{connectionName}', which the local host maps to Azurite queues: set it (or AzureWebJobsStorage) to a storage connection string such as UseDevelopmentStorage=true.");
        }

        LocalHostLog.FunctionWarning(logger, function.Name,
            $"connection '{connectionName}' is {(value is null ? "not set" : "not a storage connection string")}; its Service Bus queues are mapped to AzureWebJobsStorage.");
        return storage;
    }

    private static bool ValidStorage(string connectionString)
    {
        try
        {
            // The SDK's own parser: a Service Bus connection string, or anything but a storage one, throws.
            _ = new QueueServiceClient(connectionString);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static TimerSchedule ParseSchedule(FunctionDefinition function, TimerTriggerBinding timer, TimeZoneInfo timeZone)
    {
        try
        {
            return TimerSchedule.Parse(timer.Schedule, timeZone);
        }
        catch (FormatException ex)
        {
            throw Problem(function, timer.Name, $"schedule: {ex.Message}", ex);
        }
    }

    private static LocalHostConfigurationException Problem(FunctionDefinition function, string bindingName, string problem, Exception? inner = null)
    {
        var message = $"Function {function.Name} ({function.SourcePath ?? "function.json"}), binding '{bindingName}': {problem}";
        return inner is null ? new LocalHostConfigurationException(message) : new LocalHostConfigurationException(message, inner);
    }
}

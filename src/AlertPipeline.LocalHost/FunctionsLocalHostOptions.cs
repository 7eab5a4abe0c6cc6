namespace AlertPipeline.LocalHost;

/// <summary>How to run a function app locally (the CLI fills this from its options).</summary>
public sealed class FunctionsLocalHostOptions
{
    /// <summary>Azure's default: a dequeued message stays invisible this long, renewed at half of it while its function runs.</summary>
    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromMinutes(10);

    public const int DefaultHttpPort = 7071;

    /// <summary>The app setting that overrides Service Bus entities' MaxDeliveryCount (default 10) for the mapped queues.</summary>
    public const string MaxDeliveryCountSetting = "LocalHost:MaxDeliveryCount";

    /// <summary>The built isolated-worker app folder: worker.config.json, functions.metadata, host.json and the app.</summary>
    public string ScriptRoot { get; set; } = ".";

    /// <summary>A local.settings.json to read; null reads <c>&lt;ScriptRoot&gt;/local.settings.json</c> when it exists.</summary>
    public string? SettingsFile { get; set; }

    /// <summary>Read the process environment into the settings (over the file's values), as Functions does. Default true.</summary>
    public bool IncludeEnvironmentVariables { get; set; } = true;

    /// <summary>Settings that win over the file and the environment (a null value removes a setting).</summary>
    public IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The visibility a dequeued message gets (and is renewed to at half-time while its function runs). Default 10 minutes; at least 1 s.</summary>
    public TimeSpan LeaseDuration { get; set; } = DefaultLeaseDuration;

    /// <summary>The port HTTP-triggered functions are served on at 127.0.0.1 (default 7071; 0 picks a free port).</summary>
    public int HttpPort { get; set; } = DefaultHttpPort;

    /// <summary>How long a graceful stop waits for invocations in flight before abandoning them to their lease. Default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the worker has to connect and answer the start stream and init at start-up. Default 30 s.</summary>
    public TimeSpan WorkerStartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Service Bus MaxDeliveryCount for the mapped queues; null: app setting <see cref="MaxDeliveryCountSetting"/>, else 10.</summary>
    public int? MaxDeliveryCount { get; set; }

    /// <summary>Where the host logs; null logs nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The clock for timers (tests may pass their own).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

namespace AlertPipeline.Testing.Faults;

/// <summary>What one fault run does (docs/reliability.md). <see cref="Full"/> and <see cref="Short"/> are the two documented modes.</summary>
public sealed record FaultRunOptions
{
    /// <summary>Distinct people seeded (each listed once, some twice across branches and unions).</summary>
    public int Recipients { get; init; } = 10_000;

    /// <summary>SIGKILLs of the worker or of the local host, each followed by a restart.</summary>
    public int Kills { get; init; } = 20;

    /// <summary>The seed of every random choice (kill times and targets, storm times and faults); printed, so a run can be repeated.</summary>
    public int Seed { get; init; } = Environment.TickCount & 0x7fffffff;

    /// <summary>Restart Azurite (SIGINT to each of its processes, its disk store kept) once, halfway through the kills.</summary>
    public bool RestartAzurite { get; init; } = true;

    /// <summary>Whether the fake Twilio posts each accepted message's <c>sent</c> status callback, as Twilio does (<c>--status-callbacks</c>).</summary>
    public bool StatusCallbacks { get; init; }

    /// <summary>The first quarter of the kills wait this long (uniform) after the previous restart: they land in the fan-out.</summary>
    public (TimeSpan Min, TimeSpan Max) EarlyKillDelay { get; init; } = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));

    /// <summary>The other kills wait this long (uniform) after the previous restart.</summary>
    public (TimeSpan Min, TimeSpan Max) KillDelay { get; init; } = (TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(15));

    /// <summary>Quiet time between two storms (uniform).</summary>
    public (TimeSpan Min, TimeSpan Max) StormGap { get; init; } = (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));

    /// <summary>How long a storm lasts (uniform).</summary>
    public (TimeSpan Min, TimeSpan Max) StormLength { get; init; } = (TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8));

    /// <summary>During a storm, the share of Twilio requests and SMTP connections that get a fault.</summary>
    public double StormFaultRate { get; init; } = 0.3;

    /// <summary>Twilio's slow answers (below the app's 5 s network timeout, which the hangs hit).</summary>
    public TimeSpan SlowTwilio { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The local host's lease: how soon a killed host's messages come back.</summary>
    public string Lease { get; init; } = "5s";

    /// <summary>Give up waiting for the pipeline to drain after this long (from the first alert).</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromMinutes(40);

    /// <summary>Where the logs, the report and Azurite's store go (a new temporary folder when null).</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Build configuration of the Functions app and the local host to run.</summary>
    public string Configuration { get; init; } = "Release";

    /// <summary>Keep Azurite's store and the app copy after the run (they are deleted otherwise; logs and report always stay).</summary>
    public bool KeepData { get; init; }

    /// <summary>Time status and inbound webhooks, a delivery report, a preview and a timer while the run works (issue 15 item 4).</summary>
    public bool Probe { get; init; }

    public static FaultRunOptions Full(int? seed = null) => seed is null ? new() : new() { Seed = seed.Value };

    /// <summary>1,000 recipients, 5 kills, short storms: a couple of minutes.</summary>
    public static FaultRunOptions Short(int? seed = null) => Full(seed) with
    {
        Recipients = 1_000,
        Kills = 5,
        EarlyKillDelay = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)),
        KillDelay = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6)),
        StormGap = (TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)),
        StormLength = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)),
        TimeLimit = TimeSpan.FromMinutes(15),
    };
}

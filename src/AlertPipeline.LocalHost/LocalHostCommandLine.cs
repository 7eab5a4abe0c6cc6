using System.Globalization;
using System.Text.RegularExpressions;

namespace AlertPipeline.LocalHost;

/// <summary>The parsed command line: <c>run [options]</c>, or a request for help.</summary>
internal sealed record LocalHostCommandLine
{
    public const string Usage =
        """
        AlertPipeline local Functions host: runs a built isolated-worker function app over Azurite.

        Usage: AlertPipeline.LocalHost run [options]

          --script-root <dir>       the built app folder: worker.config.json, functions.metadata, host.json
                                    (default: current folder)
          --settings <file>         the settings file (default: <script-root>/local.settings.json when present);
                                    environment variables win over its Values
          --lease <duration>        visibility of a dequeued message, renewed at half-time while it runs
                                    (default 10m; e.g. 30s, 2m, 1500ms, 00:05:00)
          --port <n>                port of the HTTP functions on 127.0.0.1 (default 7071; 0 = any free port)
          --shutdown-timeout <d>    how long a stop waits for running invocations (default 30s)
          --verbose                 debug logging (per-message lines)

        Stop with Ctrl+C or SIGTERM: fetching stops, running invocations finish, then the worker stops.
        """;

    public bool ShowHelp { get; init; }

    public required FunctionsLocalHostOptions Options { get; init; }

    public bool Verbose { get; init; }

    /// <summary>Parses the arguments; throws <see cref="FormatException"/> with a message naming the bad option.</summary>
    public static LocalHostCommandLine Parse(IReadOnlyList<string> args)
    {
        var options = new FunctionsLocalHostOptions();
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            return new LocalHostCommandLine { ShowHelp = true, Options = options };
        }

        if (args[0] != "run")
        {
            throw new FormatException($"Unknown command '{args[0]}'; the command is 'run' (see --help).");
        }

        var verbose = false;
        var reader = new OptionReader(args, 1);
        while (reader.MoveNext())
        {
            switch (reader.Name)
            {
                case "--script-root":
                    options.ScriptRoot = reader.Value();
                    break;
                case "--settings":
                    options.SettingsFile = reader.FullPath();
                    break;
                case "--lease":
                    var lease = reader.Duration();
                    if (lease < TimeSpan.FromSeconds(1) || lease > TimeSpan.FromDays(7))
                    {
                        throw new FormatException($"--lease must be between 1s and 7 days, not {lease:c}.");
                    }

                    options.LeaseDuration = lease;
                    break;
                case "--port":
                    options.HttpPort = reader.Port();
                    break;
                case "--shutdown-timeout":
                    options.ShutdownTimeout = reader.Duration();
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                case "-h" or "--help":
                    return new LocalHostCommandLine { ShowHelp = true, Options = options };
                default:
                    throw new FormatException($"Unknown option '{reader.Name}' (see --help).");
            }
        }

        return new LocalHostCommandLine { Options = options, Verbose = verbose };
    }

    /// <summary>A duration: <c>1500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, or a time span such as <c>00:05:00</c>.</summary>
    public static TimeSpan ParseDuration(string option, string text)
    {
        var match = Regex.Match(text, @"^(\d+(?:\.\d+)?)(ms|s|m|h)$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        if (match.Success)
        {
            var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return match.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                _ => TimeSpan.FromHours(value),
            };
        }

        return text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero
            ? span
            : throw new FormatException($"{option} takes a duration such as 30s, 5m, 1500ms or 00:05:00, not '{text}'.");
    }
}

using System.Globalization;

namespace AlertPipeline.LocalHost.Demo;

/// <summary>The <c>demo</c> command's options (see <see cref="Usage"/>).</summary>
public sealed class DemoOptions
{
    public const string Usage =
        """
        Usage: AlertPipeline.LocalHost demo [options]

        Seeds the demo campaign, enqueues its alert events, runs the function app under the local host until every
        delivery is settled, then prints a per-alert delivery report. Needs AzureWebJobsStorage (./demo.sh starts Azurite
        and sets it). With Twilio:* / Smtp:* settings it sends for real; otherwise to the outbox (.outbox/).

          --script-root <dir>   the app folder: host.json, functions/, demo/ (default: current folder)
          --handler <path>      the built handler (.dll or executable), instead of host.json's defaultExecutablePath
          --settings <file>     settings file (default: <script-root>/local.settings.json when present)
          --seed <file>         seed file (default: <script-root>/demo/seed.json)
          --event <file>        an alert event to enqueue; repeatable (default: the two demo events)
          --timeout <d>         how long to wait for the deliveries to settle (default 3m)
          --port <n>            HTTP functions port on 127.0.0.1 (default 0: any free port)
          --log <file>          the local host's full log (default: <script-root>/artifacts/demo/localhost.log)
        """;

    public static readonly IReadOnlyList<string> DefaultEvents = ["demo/zhanaozen-event.json", "demo/aqtau-appeal-event.json"];

    public string ScriptRoot { get; set; } = ".";

    public string? HandlerPath { get; set; }

    public string? SettingsFile { get; set; }

    public string? SeedFile { get; set; }

    public List<string> EventFiles { get; } = [];

    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(3);

    public int HttpPort { get; set; }

    public string? LogFile { get; set; }

    public bool ShowHelp { get; set; }

    /// <summary>Parses the arguments after <c>demo</c>; throws <see cref="FormatException"/> naming the bad option.</summary>
    public static DemoOptions Parse(IReadOnlyList<string> args)
    {
        var options = new DemoOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() =>
                i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                    ? args[++i]
                    : throw new FormatException($"{name} needs a value.");

            switch (name)
            {
                case "--script-root":
                    options.ScriptRoot = Value();
                    break;
                case "--handler":
                    options.HandlerPath = Value();
                    break;
                case "--settings":
                    options.SettingsFile = Path.GetFullPath(Value());
                    break;
                case "--seed":
                    options.SeedFile = Path.GetFullPath(Value());
                    break;
                case "--event":
                    options.EventFiles.Add(Path.GetFullPath(Value()));
                    break;
                case "--timeout":
                    options.Timeout = LocalHostCommandLine.ParseDuration(name, Value());
                    break;
                case "--port":
                    var text = Value();
                    options.HttpPort = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
                        ? port
                        : throw new FormatException($"--port must be a TCP port (0–65535), not '{text}'.");
                    break;
                case "--log":
                    options.LogFile = Path.GetFullPath(Value());
                    break;
                case "-h" or "--help":
                    options.ShowHelp = true;
                    break;
                default:
                    throw new FormatException($"Unknown demo option '{name}' (see demo --help).");
            }
        }

        return options;
    }
}

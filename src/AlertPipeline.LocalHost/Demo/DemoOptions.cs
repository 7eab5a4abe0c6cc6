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

          --script-root <dir>   the repository folder: demo/, artifacts/ (default: current folder)
          --app <dir>           the built function app: worker.config.json, functions.metadata, host.json
                                (default: <script-root>/src/AlertPipeline.Functions/bin/Release/net10.0)
          --settings <file>     settings file (default: <script-root>/local.settings.json when present)
          --seed <file>         seed file (default: <script-root>/demo/seed.json)
          --event <file>        an alert event to enqueue; repeatable (default: the two demo events)
          --timeout <d>         how long to wait for the deliveries to settle (default 3m)
          --port <n>            HTTP functions port on 127.0.0.1 (default 0: any free port)
          --log <file>          the local host's full log (default: <script-root>/artifacts/demo/localhost.log)
        """;

    public static readonly IReadOnlyList<string> DefaultEvents = ["demo/zhanaozen-event.json", "demo/aqtau-appeal-event.json"];

    public string ScriptRoot { get; set; } = ".";

    public string? AppFolder { get; set; }

    /// <summary>The app folder the host runs: <see cref="AppFolder"/>, or the Release build under <paramref name="scriptRoot"/>.</summary>
    public string ResolveAppFolder(string scriptRoot) =>
        Path.GetFullPath(AppFolder ?? Path.Combine(scriptRoot, "src", "AlertPipeline.Functions", "bin", "Release", "net10.0"));

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
        var reader = new OptionReader(args, 0);
        while (reader.MoveNext())
        {
            switch (reader.Name)
            {
                case "--script-root":
                    options.ScriptRoot = reader.Value();
                    break;
                case "--app":
                    options.AppFolder = reader.FullPath();
                    break;
                case "--settings":
                    options.SettingsFile = reader.FullPath();
                    break;
                case "--seed":
                    options.SeedFile = reader.FullPath();
                    break;
                case "--event":
                    options.EventFiles.Add(reader.FullPath());
                    break;
                case "--timeout":
                    options.Timeout = reader.Duration();
                    break;
                case "--port":
                    options.HttpPort = reader.Port();
                    break;
                case "--log":
                    options.LogFile = reader.FullPath();
                    break;
                case "-h" or "--help":
                    options.ShowHelp = true;
                    break;
                default:
                    throw new FormatException($"Unknown demo option '{reader.Name}' (see demo --help).");
            }
        }

        return options;
    }
}

using System.Globalization;
using AlertPipeline.Testing.Faults;

namespace AlertPipeline.Benchmarks.Faults;

/// <summary>
/// <c>faults [--short] [--seed N] [--recipients N] [--kills N] [--no-azurite-restart] [--out DIR] [--keep-data]
/// [--limit-minutes N] [--probe] [--status-callbacks]</c>: the fault harness (docs/reliability.md). Exit code 0 only when the run met the targets
/// (0 duplicates, 0 missing, every row settled with a reason, every kill done).
/// </summary>
public sealed class FaultsHarness : IHarness
{
    public string Name => "faults";

    private const string Usage =
        "Usage: ./bench/faults.sh [--short] [--seed N] [--recipients N] [--kills N] [--no-azurite-restart] [--out DIR] [--keep-data] [--limit-minutes N] [--probe] [--status-callbacks]\n" +
        "(docs/reliability.md, \"The fault harness\"; default: 10,000 recipients, 20 kills, an Azurite restart; --short: 1,000 recipients, 5 kills)";

    public async Task RunAsync(string[] args)
    {
        if (!HarnessArguments.Check(args, Usage, ["--short", "--no-azurite-restart", "--keep-data", "--probe", "--status-callbacks"], ["--seed", "--recipients", "--kills", "--out", "--limit-minutes"]))
        {
            return;
        }

        int? seed = Option(args, "--seed") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : null;
        var options = args.Contains("--short") ? FaultRunOptions.Short(seed) : FaultRunOptions.Full(seed);
        if (Option(args, "--recipients") is { } recipients)
        {
            options = options with { Recipients = int.Parse(recipients, CultureInfo.InvariantCulture) };
        }

        if (Option(args, "--kills") is { } kills)
        {
            options = options with { Kills = int.Parse(kills, CultureInfo.InvariantCulture) };
        }

        if (Option(args, "--limit-minutes") is { } limit)
        {
            options = options with { TimeLimit = TimeSpan.FromMinutes(double.Parse(limit, CultureInfo.InvariantCulture)) };
        }

        options = options with
        {
            RestartAzurite = !args.Contains("--no-azurite-restart"),
            OutputDirectory = Option(args, "--out"),
            KeepData = args.Contains("--keep-data"),
            Probe = args.Contains("--probe"),
            StatusCallbacks = args.Contains("--status-callbacks"),
        };

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        var report = await new FaultRunner(options, Console.Out).RunAsync(stop.Token);
        Environment.ExitCode = report.Passed ? 0 : 1;
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}

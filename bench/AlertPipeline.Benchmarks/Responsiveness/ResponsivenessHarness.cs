using System.Globalization;
using AlertPipeline.Testing.Faults;

namespace AlertPipeline.Benchmarks.Responsiveness;

/// <summary>
/// <c>responsiveness [--short] [--people N] [--import-lines N] [--probe-seconds N] [--limit-minutes N] [--azurite memory|disk]</c>
/// <c>[--azurite-processes 3|1] [--azurite-lookups indexed|shipped] [--out DIR]</c>:
/// interactive requests timed while a fan-out and an import job run (issue 15 item 4, docs/reliability.md). Exit code 0
/// only when every probed kind met its target.
/// </summary>
public sealed class ResponsivenessHarness : IHarness
{
    public string Name => "responsiveness";

    private const string Usage =
        "Usage: ./bench/responsiveness.sh [--short] [--people N] [--import-lines N] [--probe-seconds N] [--limit-minutes N] [--azurite memory|disk]\n" +
        "       [--azurite-processes 3|1] [--azurite-lookups indexed|shipped] [--out DIR]\n" +
        "(docs/reliability.md, \"Responsiveness harness: one command\"; default: 67,000 people, a 50,000-line import, 20 minutes at most)";

    public async Task RunAsync(string[] args)
    {
        if (!HarnessArguments.Check(
                args, Usage, ["--short"],
                ["--people", "--import-lines", "--probe-seconds", "--limit-minutes", "--azurite", "--azurite-processes", "--azurite-lookups", "--out"]))
        {
            return;
        }

        var options = args.Contains("--short") ? ResponsivenessRunOptions.Short() : ResponsivenessRunOptions.Full();
        if (Option(args, "--people") is { } people)
        {
            options = options with { People = int.Parse(people, CultureInfo.InvariantCulture) };
        }

        if (Option(args, "--import-lines") is { } lines)
        {
            options = options with { ImportLines = int.Parse(lines, CultureInfo.InvariantCulture) };
        }

        if (Option(args, "--probe-seconds") is { } every)
        {
            options = options with { ProbeEvery = TimeSpan.FromSeconds(double.Parse(every, CultureInfo.InvariantCulture)) };
        }

        if (Option(args, "--limit-minutes") is { } limit)
        {
            options = options with { TimeLimit = TimeSpan.FromMinutes(double.Parse(limit, CultureInfo.InvariantCulture)) };
        }

        if (Option(args, "--azurite") is { } storage)
        {
            options = options with
            {
                Storage = storage switch
                {
                    "memory" => ResponsivenessStorage.Memory,
                    "disk" => ResponsivenessStorage.Disk,
                    _ => throw new ArgumentException($"--azurite must be memory or disk, not '{storage}'."),
                },
            };
        }

        if (Option(args, "--azurite-processes") is { } processes)
        {
            options = options with
            {
                SeparateAzuriteServices = processes switch
                {
                    "3" => true,
                    "1" => false,
                    _ => throw new ArgumentException($"--azurite-processes must be 3 (table, queue, blob apart) or 1, not '{processes}'."),
                },
            };
        }

        if (Option(args, "--azurite-lookups") is { } lookups)
        {
            options = options with
            {
                IndexedPointLookups = lookups switch
                {
                    "indexed" => true,
                    "shipped" => false,
                    _ => throw new ArgumentException($"--azurite-lookups must be indexed or shipped, not '{lookups}'."),
                },
            };
        }

        options = options with { OutputDirectory = Option(args, "--out") };
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        var figures = await new ResponsivenessRunner(options, Console.Out).RunAsync(stop.Token);
        var missed = ResponsivenessProbe.Missed(figures);
        Console.WriteLine(missed.Count == 0 ? "every target met" : "targets missed: " + string.Join(", ", missed));
        Environment.ExitCode = missed.Count == 0 ? 0 : 1;
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}

namespace AlertPipeline.Benchmarks;

/// <summary>
/// Checks a long-running harness's arguments before it starts anything: <c>--help</c> (or <c>-h</c>) prints its usage,
/// and an option it does not know is refused with the usage, instead of starting a full run with the defaults (on a
/// shared machine a mistyped option would otherwise cost minutes of everyone's CPU).
/// </summary>
public static class HarnessArguments
{
    /// <summary>True when the harness may run; false when it printed its usage (exit code 0 for help, 2 for an unknown option).</summary>
    /// <param name="flags">Options without a value (e.g. <c>--short</c>).</param>
    /// <param name="options">Options followed by a value (e.g. <c>--seed</c>).</param>
    public static bool Check(string[] args, string usage, IReadOnlyCollection<string> flags, IReadOnlyCollection<string> options)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--help" or "-h")
            {
                Console.WriteLine(usage);
                Environment.ExitCode = 0;
                return false;
            }

            if (options.Contains(args[i]) && i + 1 < args.Length)
            {
                i++;
                continue;
            }

            if (!flags.Contains(args[i]))
            {
                Console.Error.WriteLine($"Unknown option or missing value: '{args[i]}'.");
                Console.Error.WriteLine(usage);
                Environment.ExitCode = 2;
                return false;
            }
        }

        return true;
    }
}

using System.Diagnostics;
using System.Reflection;

namespace AlertPipeline.InfraTests;

/// <summary>The Bicep CLI restored from NuGet (Azure.Bicep.CommandLine.linux-x64: the executable under tools/).</summary>
public static class Bicep
{
    /// <summary>The repository root, recorded at build time.</summary>
    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    public static string InfraDirectory { get; } = Path.Combine(RepositoryRoot, "infra");

    public static string ExecutablePath { get; } = Metadata("BicepPath").Replace('\\', '/');

    /// <summary>Runs <c>bicep</c> with <paramref name="arguments"/> in the infra folder; only <paramref name="environment"/> is added to a clean environment.</summary>
    public static async Task<BicepRun> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        EnsureExecutable();
        var start = new ProcessStartInfo(ExecutablePath)
        {
            WorkingDirectory = InfraDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The parameters file reads the azd environment: start from none of it, so the run is the same everywhere.
        foreach (var name in start.Environment.Keys.Where(IsDeploymentVariable).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new BicepRun(process.ExitCode, await stdout, await stderr);
    }

    private static bool IsDeploymentVariable(string name) =>
        name.StartsWith("AZURE_", StringComparison.Ordinal) || name.StartsWith("TWILIO_", StringComparison.Ordinal)
        || name.StartsWith("SMTP_", StringComparison.Ordinal) || name.StartsWith("SMS_", StringComparison.Ordinal)
        || name.StartsWith("ALERTS_", StringComparison.Ordinal) || name is "ALWAYS_READY_INSTANCES" or "MAXIMUM_INSTANCE_COUNT";

    private static void EnsureExecutable()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new FileNotFoundException($"The Bicep CLI is not at {ExecutablePath}: restore tests/AlertPipeline.InfraTests (package Azure.Bicep.CommandLine.linux-x64).");
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(ExecutablePath);
            const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(ExecutablePath, mode | execute);
            }
        }
    }

    private static string Metadata(string key) =>
        typeof(Bicep).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing (set by AlertPipeline.InfraTests.csproj).");
}

/// <summary>One run of the CLI; <see cref="Diagnostics"/> are its warning and error lines (it prints them on stderr, exit code 0 for warnings).</summary>
public sealed record BicepRun(int ExitCode, string StandardOutput, string StandardError)
{
    public IReadOnlyList<string> Diagnostics { get; } =
        (StandardOutput + "\n" + StandardError).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Where(line => line.Contains(": Warning ", StringComparison.Ordinal) || line.Contains(": Error ", StringComparison.Ordinal))
        .Distinct(StringComparer.Ordinal)
        .ToList();

    public override string ToString() => $"exit {ExitCode}\n{StandardOutput}\n{StandardError}";
}

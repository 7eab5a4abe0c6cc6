using System.Reflection;
using AlertPipeline.Benchmarks;
using BenchmarkDotNet.Running;

// `dotnet run -c Release --project bench/AlertPipeline.Benchmarks -- <harness> [args]` runs one plain harness
// (throughput against a real Azurite and loopback services); anything else goes to BenchmarkDotNet's switcher.
var harnesses = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IHarness).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IHarness)Activator.CreateInstance(t)!)
    .ToDictionary(h => h.Name, StringComparer.OrdinalIgnoreCase);

if (args.Length > 0 && harnesses.TryGetValue(args[0], out var harness))
{
    await harness.RunAsync(args[1..]);
    return Environment.ExitCode; // a harness may report failure (the fault harness does when its targets are missed)
}

if (args.Length == 0)
{
    Console.WriteLine("Harnesses: " + string.Join(", ", harnesses.Keys.Order()));
    Console.WriteLine("Or BenchmarkDotNet: --filter '*'");
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(IHarness).Assembly).Run(args);
return 0;

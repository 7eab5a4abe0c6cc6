namespace AlertPipeline.Benchmarks;

/// <summary>A plain throughput harness, run by name: it prints its figures as a small table.</summary>
public interface IHarness
{
    string Name { get; }

    Task RunAsync(string[] args);
}

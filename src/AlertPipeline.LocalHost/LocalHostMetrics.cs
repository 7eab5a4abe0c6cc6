using System.Diagnostics.Metrics;

namespace AlertPipeline.LocalHost;

/// <summary>
/// Counters for tools and benchmarks (listen with a <see cref="MeterListener"/> or dotnet-counters on meter
/// <see cref="MeterName"/>). Tags: <c>function</c>, and <c>outcome</c> (<c>succeeded</c>, <c>failed</c>, <c>poisoned</c>).
/// </summary>
public static class LocalHostMetrics
{
    public const string MeterName = "AlertPipeline.LocalHost";

    /// <summary>Name of the counter of finished trigger messages (queue and Service Bus), one per delivery.</summary>
    public const string MessagesProcessed = "localhost.messages.processed";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Processed = Meter.CreateCounter<long>(MessagesProcessed, unit: "{message}", description: "Trigger messages finished, by outcome.");

    internal static void MessageProcessed(string functionName, string outcome) =>
        Processed.Add(1, new KeyValuePair<string, object?>("function", functionName), new KeyValuePair<string, object?>("outcome", outcome));
}

using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using AlertPipeline.Testing;

namespace AlertPipeline.Benchmarks.Storage;

/// <summary>
/// The Table Storage floor on a fresh local Azurite: single-entity inserts per second (one at a time and 16 in flight)
/// and entities per second in 100-entity transactions. Usage: <c>table-floor [singleCount=2000] [batchedCount=20000]</c>.
/// </summary>
public sealed class TableFloorHarness : IHarness
{
    public string Name => "table-floor";

    public async Task RunAsync(string[] args)
    {
        var singles = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var batched = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
        var azurite = await AzuriteFixture.StartAsync();
        try
        {
            var service = new TableServiceClient(azurite.ConnectionString);
            var rows = new List<(string Case, int Entities, int Requests, TimeSpan Elapsed, double[] Latencies)>();

            var warm = await NewTableAsync(service);
            await InsertSinglesAsync(warm, 200, 4);

            foreach (var concurrency in new[] { 1, 16 })
            {
                var table = await NewTableAsync(service);
                var watch = Stopwatch.StartNew();
                var latencies = await InsertSinglesAsync(table, singles, concurrency);
                rows.Add(($"single insert, concurrency {concurrency}", singles, singles, watch.Elapsed, latencies));
            }

            foreach (var concurrency in new[] { 1, 4 })
            {
                var table = await NewTableAsync(service);
                var watch = Stopwatch.StartNew();
                var latencies = await InsertBatchesAsync(table, batched, concurrency);
                rows.Add(($"batch of 100, concurrency {concurrency}", batched, latencies.Length, watch.Elapsed, latencies));
            }

            Print(rows);
        }
        finally
        {
            azurite.Stop();
        }
    }

    private static async Task<TableClient> NewTableAsync(TableServiceClient service)
    {
        var table = service.GetTableClient(AzuriteFixture.UniqueName("bench"));
        await table.CreateIfNotExistsAsync();
        return table;
    }

    /// <summary>A delivery-row-sized entity: a few strings, a status, timestamps and a counter.</summary>
    private static TableEntity Delivery(string partition, int i) => new(partition, i.ToString("D8", CultureInfo.InvariantCulture))
    {
        ["AlertId"] = "alert-2024-06-01-anniversary",
        ["Channel"] = "Sms",
        ["RecipientHash"] = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ["Status"] = "Pending",
        ["Attempts"] = 0,
        ["CreatedAt"] = DateTimeOffset.UtcNow,
        ["Segments"] = 2L,
    };

    private static async Task<double[]> InsertSinglesAsync(TableClient table, int count, int concurrency)
    {
        var latencies = new double[count];
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var start = Stopwatch.GetTimestamp();
                await table.AddEntityAsync(Delivery($"p{i % 16}", i));
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        });
        await Task.WhenAll(workers);
        return latencies;
    }

    private static async Task<double[]> InsertBatchesAsync(TableClient table, int count, int concurrency)
    {
        var batches = (count + 99) / 100;
        var latencies = new double[batches];
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int b;
            while ((b = Interlocked.Increment(ref next)) < batches)
            {
                var actions = Enumerable.Range(b * 100, Math.Min(100, count - (b * 100)))
                    .Select(i => new TableTransactionAction(TableTransactionActionType.Add, Delivery($"p{b}", i)))
                    .ToList();
                var start = Stopwatch.GetTimestamp();
                await table.SubmitTransactionAsync(actions);
                latencies[b] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        });
        await Task.WhenAll(workers);
        return latencies;
    }

    private static void Print(List<(string Case, int Entities, int Requests, TimeSpan Elapsed, double[] Latencies)> rows)
    {
        Console.WriteLine($"Table Storage floor on Azurite ({Environment.ProcessorCount} cores, {RuntimeInfo()})");
        Console.WriteLine($"{"case",-32} {"entities",9} {"requests",9} {"seconds",8} {"entities/s",11} {"req p50 ms",11} {"req p99 ms",11}");
        foreach (var (name, entities, requests, elapsed, latencies) in rows)
        {
            Array.Sort(latencies);
            Console.WriteLine(
                $"{name,-32} {entities,9} {requests,9} {elapsed.TotalSeconds,8:0.00} {entities / elapsed.TotalSeconds,11:0} " +
                $"{Percentile(latencies, 0.50),11:0.0} {Percentile(latencies, 0.99),11:0.0}");
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string RuntimeInfo() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
}

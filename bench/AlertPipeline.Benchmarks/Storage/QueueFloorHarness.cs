using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AlertPipeline.Infrastructure.Storage;
using Azure.Storage.Queues;
using AlertPipeline.Testing;

namespace AlertPipeline.Benchmarks.Storage;

/// <summary>
/// The floor the queue client puts under everything built on it: sends/s and receive(32)+delete/s against a fresh,
/// in-memory Azurite on loopback, at concurrency 1 and 16. Usage: <c>queue-floor [--messages N]</c> (default 2,000).
/// </summary>
public sealed class QueueFloorHarness : IHarness
{
    private const string SampleBody =
        "{\"schemaVersion\":1,\"kind\":\"sms-dispatch\",\"alertId\":\"3f1c2a9e-7b5d-4e8a-9c1f-0a2b3c4d5e6f\"," +
        "\"deliveryKey\":\"sms|c-000123\",\"unionId\":\"u-kz-miners\",\"language\":\"kk\",\"occurredAt\":\"2026-03-02T10:00:00Z\"}";

    public string Name => "queue-floor";

    public async Task RunAsync(string[] args)
    {
        var messages = ParseMessages(args);
        Console.WriteLine($"queue-floor: {messages:N0} messages per scenario, base64 body of {SampleBody.Length} chars, fresh in-memory Azurite on loopback");
        var azurite = await AzuriteFixture.StartAsync();
        try
        {
            var service = new QueueServiceClient(azurite.ConnectionString, StorageServiceCollectionExtensions.QueueOptions());
            await WarmUpAsync(service);
            var sequential = await NewQueueAsync(service);
            var parallel = await NewQueueAsync(service);
            PrintHeader();
            PrintRow(await SendAsync(sequential, messages, 1));
            PrintRow(await SendAsync(parallel, messages, 16));
            PrintRow(await ReceiveAndDeleteAsync(sequential, messages, 1));
            PrintRow(await ReceiveAndDeleteAsync(parallel, messages, 16));
        }
        finally
        {
            azurite.Stop();
        }
    }

    private static int ParseMessages(string[] args)
    {
        var i = Array.IndexOf(args, "--messages");
        if (i < 0)
        {
            return 2_000;
        }

        return i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException("--messages needs a positive whole number.");
    }

    private static async Task<QueueClient> NewQueueAsync(QueueServiceClient service)
    {
        var queue = service.GetQueueClient(AzuriteFixture.UniqueName("bench"));
        await queue.CreateIfNotExistsAsync();
        return queue;
    }

    private static async Task WarmUpAsync(QueueServiceClient service)
    {
        var queue = await NewQueueAsync(service);
        for (var i = 0; i < 50; i++)
        {
            await queue.SendMessageAsync(SampleBody);
        }

        while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } batch)
        {
            foreach (var m in batch)
            {
                await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
            }
        }

        await queue.DeleteIfExistsAsync();
    }

    private static async Task<Row> SendAsync(QueueClient queue, int messages, int concurrency)
    {
        var latencies = new ConcurrentBag<double>();
        var total = Stopwatch.StartNew();
        await Parallel.ForAsync(0, messages, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, ct) =>
        {
            var one = Stopwatch.StartNew();
            await queue.SendMessageAsync(SampleBody, cancellationToken: ct);
            latencies.Add(one.Elapsed.TotalMilliseconds);
        });
        total.Stop();
        var count = await queue.GetApproximateMessageCountAsync();
        if (count != messages)
        {
            throw new InvalidOperationException($"Sent {messages} messages but the queue holds {count}.");
        }

        return new Row("send", concurrency, messages, total.Elapsed, latencies.ToArray(), "per send");
    }

    private static async Task<Row> ReceiveAndDeleteAsync(QueueClient queue, int messages, int concurrency)
    {
        // A receive whose response is lost (a timeout under load, then a retry) hides its messages for the visibility
        // timeout with no one to delete them; keep it short so they come back, and bound the whole scenario.
        var visibility = TimeSpan.FromSeconds(30);
        var deadline = TimeSpan.FromMinutes(5);
        var latencies = new ConcurrentBag<double>();
        var receiveLatencies = new ConcurrentBag<double>();
        var processed = 0;
        var total = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Volatile.Read(ref processed) < messages)
            {
                if (total.Elapsed > deadline)
                {
                    throw new TimeoutException($"receive(32)+delete at concurrency {concurrency}: {Volatile.Read(ref processed)} of {messages} after {deadline}.");
                }

                var one = Stopwatch.StartNew();
                var batch = (await queue.ReceiveMessagesAsync(32, visibility)).Value;
                receiveLatencies.Add(one.Elapsed.TotalMilliseconds);
                foreach (var m in batch)
                {
                    await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
                }

                if (batch.Length > 0)
                {
                    latencies.Add(one.Elapsed.TotalMilliseconds);
                    Interlocked.Add(ref processed, batch.Length);
                }
                else
                {
                    // The rest are invisible, held by other workers; back off instead of hammering the emulator.
                    await Task.Delay(20);
                }
            }
        });
        await Task.WhenAll(workers);
        total.Stop();
        var left = await queue.GetApproximateMessageCountAsync();
        if (processed != messages || left != 0)
        {
            throw new InvalidOperationException($"Processed {processed} of {messages}; {left} left in the queue.");
        }

        return new Row("receive(32)+delete", concurrency, messages, total.Elapsed, latencies.ToArray(), "per batch (receive + 32 deletes)")
        {
            Detail = new Row("  of which receive", concurrency, messages, total.Elapsed, receiveLatencies.ToArray(), "per receive call (incl. empty polls)"),
        };
    }

    private static void PrintHeader() =>
        Console.WriteLine($"{"scenario",-20} {"conc",4} {"messages",9} {"seconds",8} {"msg/s",8} {"p50 ms",8} {"p99 ms",8}  latency");

    private static void PrintRow(Row r)
    {
        Console.WriteLine(
            $"{r.Scenario,-20} {r.Concurrency,4} {r.Messages,9:N0} {r.Elapsed.TotalSeconds,8:0.00} {r.Messages / r.Elapsed.TotalSeconds,8:N0} " +
            $"{Percentile(r.Latencies, 0.50),8:0.0} {Percentile(r.Latencies, 0.99),8:0.0}  {r.LatencyUnit}");
        if (r.Detail is { } d)
        {
            Console.WriteLine($"{d.Scenario,-20} {"",4} {"",9} {"",8} {"",8} {Percentile(d.Latencies, 0.50),8:0.0} {Percentile(d.Latencies, 0.99),8:0.0}  {d.LatencyUnit}");
        }
    }

    private static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        Array.Sort(values);
        return values[Math.Min(values.Length - 1, (int)Math.Ceiling(p * values.Length) - 1)];
    }

    private sealed record Row(string Scenario, int Concurrency, int Messages, TimeSpan Elapsed, double[] Latencies, string LatencyUnit)
    {
        public Row? Detail { get; init; }
    }
}

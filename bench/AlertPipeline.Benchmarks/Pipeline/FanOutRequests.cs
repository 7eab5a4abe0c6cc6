using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Infrastructure.Storage;
using AlertPipeline.Testing;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.Benchmarks.Pipeline;

/// <summary>
/// <c>pipeline --requests N</c>: the storage requests of one N-member fan-out, counted by kind — a deterministic measure of
/// what the fan-out asks of Azurite, unlike its time on a shared machine. The same handlers and repositories the worker
/// runs (<see cref="FanOutHandler"/>, then every branch's chain of <see cref="FanOutChunkHandler"/> pages, four branches
/// at once as the worker's <c>FanOutChunksInFlight</c>), in this process, over SDK clients with a counting pipeline
/// policy, the dispatch batches on Storage queues. Not counted: the host's own <c>fanout-chunks</c> traffic (a receive,
/// a delete and, but for the last page, a send per chunk: printed as the number of chunks).
/// </summary>
public sealed partial class PipelineHarness
{
    private static async Task RequestsAsync(int members)
    {
        Console.WriteLine($"fan-out requests for {members:N0} members in branches of {MembersPerBranch:N0} (delivery buckets {(s_buckets == "0" ? "by audience size" : s_buckets)}, " +
                          $"seed counts {(s_seedCounts ? "stored" : "absent")}, pages per chunk {(s_pagesPerChunk.Length == 0 ? "the default" : s_pagesPerChunk)}): starting Azurite, seeding…");
        var azurite = await AzuriteFixture.StartAsync();
        try
        {
            await using var services = Storage(azurite);
            await SeedAsync(services, members);
            var counter = new RequestCounter();
            var tableOptions = new TableClientOptions();
            tableOptions.AddPolicy(counter, HttpPipelinePosition.PerCall);
            var queueOptions = StorageServiceCollectionExtensions.QueueOptions();
            queueOptions.AddPolicy(counter, HttpPipelinePosition.PerCall);
            var tables = new PipelineTables(new TableServiceClient(azurite.ConnectionString, tableOptions), services.GetRequiredService<PipelineTables>().Prefix);
            var storage = services.GetRequiredService<PipelineStorageOptions>();
            var options = new PipelineOptions { QuietHours = "off", DeliveryBuckets = int.Parse(s_buckets, CultureInfo.InvariantCulture) };
            if (s_pagesPerChunk.Length > 0)
            {
                options.FanOutPagesPerChunk = int.Parse(s_pagesPerChunk, CultureInfo.InvariantCulture);
            }

            var time = TimeProvider.System;
            var membership = new MembershipRepository(tables);
            var alerts = new AlertRepository(tables);
            var fanOut = new FanOutHandler(membership, membership, alerts, new RejectedEventRepository(tables), new AudienceResolver(membership), options, time);
            using var chunks = new FanOutChunkHandler(
                membership, membership, new PipelineLookups(alerts, membership, options, time), new DeliveryRepository(tables, storage), new DeferredDispatchRepository(tables),
                new OptOutRepository(tables, storage), new StorageQueueDispatchQueue(new QueueServiceClient(azurite.ConnectionString, queueOptions), time),
                services.GetRequiredService<RecipientHasher>(), options, time);

            await tables.EnsureAllAsync();
            counter.Reset();
            var watch = Stopwatch.StartNew();
            var accepted = await fanOut.HandleAsync(AlertEventSerializer.Serialize(Event(sms: true)), null, default);
            var eventTime = watch.Elapsed;
            var atEvent = counter.Snapshot();
            var pages = 0;
            var rows = 0;
            await Parallel.ForEachAsync(accepted.Chunks, new ParallelOptions { MaxDegreeOfParallelism = options.FanOutChunksInFlight }, async (first, ct) =>
            {
                for (FanOutChunk? chunk = first; chunk is not null;)
                {
                    var result = await chunks.HandleAsync(chunk, ct);
                    Interlocked.Increment(ref pages);
                    Interlocked.Add(ref rows, result.Added);
                    chunk = result.Next;
                }
            });
            var total = watch.Elapsed;
            var all = counter.Snapshot();
            if (rows != members)
            {
                throw new InvalidOperationException($"fan-out of {members:N0} wrote {rows:N0} rows.");
            }

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"layout {accepted.Layout!.Buckets} buckets; {accepted.BranchesCounted} of {accepted.Chunks.Count} branches counted at the event; {pages:N0} chunks of up to {options.FanOutPagesPerChunk} pages of {options.FanOutPageSize:N0}; in-process times on this machine: event {eventTime.TotalSeconds:0.0} s, all {total.TotalSeconds:0.0} s"));
            Console.WriteLine("| requests | at the event (FanOut) | whole fan-out | per 100,000 rows |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var kind in all.Keys.Order(StringComparer.Ordinal))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {kind} | {atEvent.GetValueOrDefault(kind):N0} | {all[kind]:N0} | {all[kind] * 100_000.0 / rows:N0} |"));
            }

            var sum = all.Values.Sum();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| **all** | {atEvent.Values.Sum():N0} | {sum:N0} | {sum * 100_000.0 / rows:N0} |"));
        }
        finally
        {
            azurite.Stop();
        }
    }

    /// <summary>Counts every request an SDK client sends (per call, before retries), by service and kind.</summary>
    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

        public void Reset() => _counts.Clear();

        public Dictionary<string, int> Snapshot() => new(_counts, StringComparer.Ordinal);

        public override void OnSendingRequest(HttpMessage message)
        {
            var request = message.Request;
            var uri = request.Uri.ToUri();
            var method = request.Method.Method;
            var path = Uri.UnescapeDataString(uri.AbsolutePath);
            var kind = uri.Port == 0 ? "other" : path.EndsWith("/messages", StringComparison.Ordinal)
                ? $"queue {method} messages"
                : path.Contains("$batch", StringComparison.Ordinal) ? "table transaction ($batch)"
                : path.Contains("(PartitionKey=", StringComparison.Ordinal) ? $"table {method} one entity"
                : method == "GET" && uri.Query.Contains("filter", StringComparison.OrdinalIgnoreCase) ? "table query"
                : $"{method} {TrimAccount(path)}";
            _counts.AddOrUpdate(kind, 1, (_, n) => n + 1);
        }

        private static string TrimAccount(string path)
        {
            var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length > 1 ? "/" + string.Join('/', parts.Skip(1).Take(1).Select(p => p.Length > 12 ? p[..12] + "…" : p)) : path;
        }
    }
}

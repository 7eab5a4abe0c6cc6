using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json.Nodes;
using AlertPipeline.Infrastructure.Storage;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using AlertPipeline.LocalHost;
using AlertPipeline.Testing;
using Microsoft.Extensions.Logging;

namespace AlertPipeline.Benchmarks.LocalHost;

/// <summary>
/// What the local host costs over the storage floor: on one fresh Azurite, the raw rate of receive + delete with the
/// host's own concurrency (batchSize, fetch again at newBatchThreshold) against the rate of NoOp invocations through the
/// local host on the same number of messages: <c>grpc</c> drives the unmodified isolated worker
/// (tests/AlertPipeline.TestWorker: receive, InvocationRequest over the gRPC stream, InvocationResponse, delete).
/// Both use the same lease (default 30 s, so messages whose receive was lost in an Azurite stall come back soon).
/// Azurite's queue GC (every minute) stalls it for a long time once it holds thousands of (deleted) messages, hitting
/// whichever phase runs second; the harness reports rates with and without those stalls, and <c>--azurite-per-phase</c>
/// gives each phase its own fresh Azurite for a fair wall-clock comparison.
/// Usage: <c>localhost-overhead [--messages 5000] [--batch-size 32] [--threshold N] [--lease-seconds 30] [--rounds 2]
/// [--azurite-per-phase] [--only raw|grpc] [--log Warning]</c>.
/// </summary>
public sealed class LocalHostOverheadHarness : IHarness
{
    /// <summary>A pause between two completions longer than this is counted as an Azurite stall.</summary>
    private static readonly TimeSpan StallThreshold = TimeSpan.FromSeconds(1);

    private static readonly string[] RawFirst = ["raw", "grpc"];
    private static readonly string[] HostFirst = ["grpc", "raw"];
    private static readonly string[] HostModes = ["grpc"];

    public string Name => "localhost-overhead";

    public async Task RunAsync(string[] args)
    {
        var messages = IntOption(args, "--messages", 5000);
        var batchSize = IntOption(args, "--batch-size", 32);
        var threshold = IntOption(args, "--threshold", batchSize / 2);
        var rounds = IntOption(args, "--rounds", 2);
        var only = StringOption(args, "--only");
        var logLevel = Enum.Parse<LogLevel>(StringOption(args, "--log") ?? nameof(LogLevel.Warning), ignoreCase: true);
        var lease = TimeSpan.FromSeconds(IntOption(args, "--lease-seconds", 30));
        var azuritePerPhase = args.Contains("--azurite-per-phase");
        using var loggerFactory = LoggerFactory.Create(logging => logging.SetMinimumLevel(logLevel).AddSimpleConsole(c => { c.SingleLine = true; c.TimestampFormat = "HH:mm:ss.fff "; }));
        var workerDll = FindBuilt("AlertPipeline.TestWorker", "AlertPipeline.TestWorker.dll");

        Console.WriteLine($"localhost-overhead: {messages} messages, batchSize {batchSize}, newBatchThreshold {threshold}, lease {lease.TotalSeconds:0} s, {rounds} rounds, {Environment.ProcessorCount} cores, {(azuritePerPhase ? "a fresh Azurite per phase" : "one fresh Azurite")}");
        var azurite = await AzuriteFixture.StartAsync();
        var workerRoot = CreateWorkerRoot(workerDll, batchSize, threshold);
        try
        {
            var results = new List<(string Mode, int Round, Timing Timing)>();
            for (var round = 1; round <= rounds; round++)
            {
                // Alternate the order: Azurite slows down as it accumulates state, which would favour whichever runs first.
                foreach (var mode in (round % 2 == 1 ? RawFirst : HostFirst).Where(m => only is null || m == only))
                {
                    if (azuritePerPhase)
                    {
                        azurite.Stop();
                        azurite = await AzuriteFixture.StartAsync();
                    }

                    var timing = mode switch
                    {
                        "raw" => await RunRawAsync(azurite, messages, batchSize, threshold, lease),
                        _ => await RunHostAsync(azurite, workerRoot, messages, lease, loggerFactory),
                    };
                    results.Add((mode, round, timing));
                    Console.WriteLine(
                        $"  round {round}: {mode,-7} {messages / timing.Seconds,6:N0} msg/s over {timing.Seconds:N1} s; " +
                        $"{messages / timing.ActiveSeconds,6:N0} msg/s without Azurite stalls ({timing.Stalled:N1} s stalled, longest gap {timing.LongestGap:N1} s)");
                }
            }

            Console.WriteLine();
            Console.WriteLine("| mode | round | seconds | msg/s | stalled s | msg/s without stalls | client CPU ms/msg |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var (mode, round, timing) in results)
            {
                Console.WriteLine(
                    $"| {Label(mode, batchSize)} | {round} | {timing.Seconds:N1} | {messages / timing.Seconds:N0} | {timing.Stalled:N1} | {messages / timing.ActiveSeconds:N0} | {timing.CpuMsPerMessage:N2} |");
            }

            double Best(string mode, Func<Timing, double> seconds) =>
                results.Where(r => r.Mode == mode).Select(r => messages / seconds(r.Timing)).DefaultIfEmpty(double.NaN).Max();
            var (raw, rawActive) = (Best("raw", t => t.Seconds), Best("raw", t => t.ActiveSeconds));
            Console.WriteLine();
            foreach (var mode in HostModes.Where(m => only is null || m == only))
            {
                var (host, hostActive) = (Best(mode, t => t.Seconds), Best(mode, t => t.ActiveSeconds));
                Console.WriteLine($"{Label(mode, batchSize)}: best raw {raw:N0} msg/s, best through the local host {host:N0} msg/s: overhead {(raw - host) / raw * 100:N1} %");
                Console.WriteLine($"{Label(mode, batchSize)}: without Azurite stalls: raw {rawActive:N0} msg/s, local host {hostActive:N0} msg/s: overhead {(rawActive - hostActive) / rawActive * 100:N1} % (target ≤ 10 %)");
            }
        }
        finally
        {
            azurite.Stop();
            Directory.Delete(workerRoot, recursive: true);
        }
    }

    private static string Label(string mode, int batchSize) => mode switch
    {
        "raw" => $"raw receive({batchSize})+delete",
        _ => "local host, isolated worker over gRPC, NoOp",
    };

    /// <summary>Receive + delete only, with the local host's fetch rule; seconds from the first to the last delete.</summary>
    private static async Task<Timing> RunRawAsync(AzuriteFixture azurite, int messages, int batchSize, int threshold, TimeSpan lease)
    {
        var service = new QueueServiceClient(azurite.ConnectionString, Base64Options());
        var queue = service.GetQueueClient(AzuriteFixture.UniqueName("raw"));
        await PreloadAsync(queue, messages);

        var done = 0;
        var inFlight = 0;
        var gaps = new CompletionTimes();
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var completed = new SemaphoreSlim(0);
        var tasks = new List<Task>();
        while (Volatile.Read(ref done) < messages)
        {
            while (Volatile.Read(ref inFlight) > threshold)
            {
                await completed.WaitAsync();
            }

            var batch = (await queue.ReceiveMessagesAsync(batchSize, lease)).Value;
            if (batch.Length == 0)
            {
                if (Volatile.Read(ref inFlight) == 0 && Volatile.Read(ref done) >= messages)
                {
                    break;
                }

                await Task.Delay(20);
                continue;
            }

            Interlocked.Add(ref inFlight, batch.Length);
            foreach (var message in batch)
            {
                tasks.Add(Task.Run(async () =>
                {
                    try
                    {
                        _ = message.Body.ToArray(); // the host reads every message's bytes too (the client decoded the base64)
                        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                        gaps.Record(clock.ElapsedTicks);
                        Interlocked.Increment(ref done);
                    }
                    catch (Azure.RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.MessageNotFound.ToString() || ex.ErrorCode == QueueErrorCode.PopReceiptMismatch.ToString())
                    {
                        // Its lease ran out during an Azurite stall and another receive took it: counted there.
                    }
                    finally
                    {
                        Interlocked.Decrement(ref inFlight);
                        completed.Release();
                    }
                }));
            }
        }

        await Task.WhenAll(tasks);
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        await queue.DeleteIfExistsAsync();
        return gaps.Timing with { CpuMsPerMessage = cpuMs / messages };
    }

    /// <summary>The local host on the NoOp function; seconds from the first to the last completed message (app start-up excluded).</summary>
    private static async Task<Timing> RunHostAsync(AzuriteFixture azurite, string scriptRoot, int messages, TimeSpan lease, ILoggerFactory loggerFactory)
    {
        var prefix = AzuriteFixture.UniqueName("bench");
        var service = new QueueServiceClient(azurite.ConnectionString, Base64Options());
        var queue = service.GetQueueClient(prefix + "-noop");
        await PreloadAsync(queue, messages);

        var done = 0;
        var failed = 0;
        var gaps = new CompletionTimes();
        var clock = Stopwatch.StartNew();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == LocalHostMetrics.MeterName && instrument.Name == LocalHostMetrics.MessagesProcessed)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome" && (string?)tag.Value != "succeeded")
                {
                    Interlocked.Increment(ref failed);
                }
            }

            gaps.Record(clock.ElapsedTicks);
            if (Interlocked.Increment(ref done) == messages)
            {
                all.TrySetResult();
            }
        });
        listener.Start();

        var cpuMs = 0.0;
        var options = new FunctionsLocalHostOptions
        {
            ScriptRoot = scriptRoot, HttpPort = 0, IncludeEnvironmentVariables = false, LoggerFactory = loggerFactory, LeaseDuration = lease,
        };
        options.Settings["AzureWebJobsStorage"] = azurite.ConnectionString;
        options.Settings["TestQueuePrefix"] = prefix;
        options.Settings["Logging__LogLevel__Default"] = "Warning";
        options.Settings["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        foreach (var other in WorkerFunctionsButNoOp)
        {
            options.Settings[$"AzureWebJobs.{other}.Disabled"] = "true"; // the test worker's other functions stay idle
        }
        await using (var host = new FunctionsLocalHost(options))
        {
            await host.StartAsync();
            using var worker = Process.GetProcessById(host.WorkerProcessId!.Value);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime + worker.TotalProcessorTime;
            try
            {
                await all.Task.WaitAsync(TimeSpan.FromMinutes(10));
            }
            catch (TimeoutException)
            {
                Console.WriteLine($"  timed out: {Volatile.Read(ref done)} of {messages} finished, {host.InFlight} in flight");
                throw;
            }

            worker.Refresh();
            cpuMs = (Process.GetCurrentProcess().TotalProcessorTime + worker.TotalProcessorTime - cpu).TotalMilliseconds;
            await host.StopAsync();
        }

        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} NoOp invocations did not succeed; the figures would be meaningless.");
        }

        await queue.DeleteIfExistsAsync();
        return gaps.Timing with { CpuMsPerMessage = cpuMs / messages };
    }

    /// <summary>The same client settings the local host uses for a base64 queue (pinned version, 100 s network timeout).</summary>
    private static QueueClientOptions Base64Options()
    {
        var options = StorageServiceCollectionExtensions.QueueOptions();
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        return options;
    }

    private static async Task PreloadAsync(QueueClient queue, int messages)
    {
        await queue.CreateIfNotExistsAsync();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, messages),
            new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (i, ct) => await queue.SendMessageAsync($$"""{"n":{{i}},"note":"benchmark"}""", cancellationToken: ct));
    }

    private static readonly string[] WorkerFunctionsButNoOp = ["Record", "MultiOutput", "FanOutArray", "FailTimes", "CrashOnce", "Slow", "LogLines", "Tick", "Echo"];

    /// <summary>A copy of the built test worker with a host.json carrying the benchmark's queue settings.</summary>
    private static string CreateWorkerRoot(string workerDll, int batchSize, int threshold)
    {
        var root = Directory.CreateTempSubdirectory("localhost-bench-worker").FullName;
        var built = Path.GetDirectoryName(workerDll)!;
        foreach (var file in Directory.EnumerateFiles(built, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(built, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var host = new JsonObject
        {
            ["version"] = "2.0",
            ["extensions"] = new JsonObject
            {
                ["queues"] = new JsonObject
                {
                    ["batchSize"] = batchSize,
                    ["newBatchThreshold"] = threshold,
                    ["maxPollingInterval"] = "00:00:02",
                    ["maxDequeueCount"] = 5,
                },
            },
        };
        File.WriteAllText(Path.Combine(root, "host.json"), host.ToJsonString());
        return root;
    }

    private static string FindBuilt(string project, string dllName)
    {
        foreach (var configuration in new[] { "Release", "Debug" })
        {
            var dll = RepositoryPaths.Combine("tests", project, "bin", configuration, "net10.0", dllName);
            if (File.Exists(dll))
            {
                return dll;
            }
        }

        throw new InvalidOperationException($"tests/{project} is not built: run 'dotnet build tests/{project} -c Release' first.");
    }

    /// <summary>
    /// Seconds from the first to the last completion, the longest pause between two completions, and the time spent in
    /// pauses over <see cref="StallThreshold"/> (Azurite's queue GC stops the server for seconds at a time).
    /// </summary>
    private sealed record Timing(double Seconds, double LongestGap, double Stalled)
    {
        /// <summary>CPU the client side spent per message: this process, plus the worker process for the local host.</summary>
        public double CpuMsPerMessage { get; init; }

        public double ActiveSeconds => Math.Max(Seconds - Stalled, 0.001);
    }

    private sealed class CompletionTimes
    {
        private readonly object _gate = new();
        private long _first = -1;
        private long _last;
        private long _longestGap;
        private long _stalled;

        public Timing Timing
        {
            get
            {
                lock (_gate)
                {
                    var frequency = (double)Stopwatch.Frequency;
                    return new Timing(Math.Max(_last - _first, 1) / frequency, _longestGap / frequency, _stalled / frequency);
                }
            }
        }

        public void Record(long ticks)
        {
            lock (_gate)
            {
                if (_first < 0)
                {
                    _first = ticks;
                }
                else
                {
                    var gap = ticks - _last;
                    _longestGap = Math.Max(_longestGap, gap);
                    if (gap > StallThreshold.TotalSeconds * Stopwatch.Frequency)
                    {
                        _stalled += gap;
                    }
                }

                _last = Math.Max(_last, ticks);
            }
        }
    }

    private static string? StringOption(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}

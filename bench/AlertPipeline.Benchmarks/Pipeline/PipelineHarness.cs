using System.Diagnostics;
using System.Globalization;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Channels;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Infrastructure.Storage;
using Azure.Storage.Queues;
using AlertPipeline.Infrastructure.Twilio;
using AlertPipeline.LocalHost;
using AlertPipeline.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Benchmarks.Pipeline;

/// <summary>
/// The pipeline end to end on a fresh in-memory Azurite per scenario, the REAL Functions app (src/AlertPipeline.Functions,
/// Release build) under the local host in this process, with the repository's host.json and function folders:
/// <list type="bullet">
/// <item><b>fan-out</b>: N synthetic members (2,000 per branch, seeded with 100-entity transactions), one SMS alert;
/// SendSms/SendEmail disabled (<c>AzureWebJobs.SendSms.Disabled</c>) so the dispatch messages stay queued. Time from
/// enqueuing the event until every dispatch message is on <c>sms-dispatch</c> (each chunk writes its rows before it
/// emits their dispatch messages) and no chunk is left, then a full scan confirms N rows. Peak resident memory (VmHWM)
/// of the handler process, which does the fan-out, and the peak GC heap of this process (the local host).</item>
/// <item><b>send rate</b>: M members, SendSms on, Twilio settings pointing at a loopback FakeTwilioServer, pacing off
/// and at a configured rate; achieved messages and segments per second between the first and the last accepted SMS.</item>
/// <item><b>gateway</b>: the same M sends straight through <see cref="TwilioSmsGateway"/> (16 in flight), to separate the
/// gateway and pacer from the pipeline around them.</item>
/// </list>
/// Usage: <c>pipeline [--fanout 10000,100000] [--sends 2000] [--pace 50] [--limit-minutes 10] [--dispatch-azurite shared|separate] [--buckets 0|16|64|256] [--seed-counts yes|no]</c>
/// (<c>--seed-counts</c>: whether the seed stores each branch's contact count as an import job does; <c>no</c>: the event counts them as for a branch's first alert),
/// <c>--pages-per-chunk N</c>: the app's <c>Pipeline:FanOutPagesPerChunk</c>; <c>--members-per-branch N</c> (default 2,000): a chunk never reads past its branch,
/// or <c>pipeline --requests 100000 [--buckets …] [--seed-counts …] [--pages-per-chunk …] [--members-per-branch …]</c> for the storage requests of one fan-out, counted by kind (FanOutRequests.cs),
/// (<c>--buckets</c>: the app's <c>Pipeline:DeliveryBuckets</c>, i.e. the alerts' partition layout; 0, the default, chooses by
/// audience size as in production; a fixed value applies to the fan-out and the send runs alike),
/// or <c>pipeline --first-sms 10 [--idle-seconds 5]</c> for the latency from an event to its first SMS.
/// (<c>--fanout 0</c> or <c>--sends 0</c> skips; a fan-out still running at the limit is reported as far as it got).
/// <c>--dispatch-azurite separate</c> puts the fan-out's dispatch queues (the <c>ServiceBusConnection</c>, Service Bus in
/// Azure) on a second Azurite: Azurite keeps every queue message of an account in one collection and each receive or
/// delete on any queue scans all of them, so an undrained <c>sms-dispatch</c> slows the chunk queue down.
/// </summary>
public sealed partial class PipelineHarness : IHarness
{
    /// <summary>Members per seeded branch (<c>--members-per-branch</c>, 1,000–1,000,000; default 2,000): a chunk reads at
    /// most one branch, so this bounds the contacts per chunk whatever <c>--pages-per-chunk</c> allows.</summary>
    private static int MembersPerBranch = 2_000;

    /// <summary>The app's <c>Pipeline:FanOutPagesPerChunk</c> (<c>--pages-per-chunk</c>; empty: the app's default).</summary>
    private static string s_pagesPerChunk = "";
    private const string Campaign = "bench-campaign";
    private const string Union = "bench-union";

    public string Name => "pipeline";

    /// <summary>The app's <c>Pipeline:DeliveryBuckets</c> for this run (0: by audience size).</summary>
    private static string s_buckets = "0";

    /// <summary>Whether the seed stores each branch's contact count as an import job does at its end (<c>--seed-counts yes</c>,
    /// the default): then the fan-out chooses its layout without counting, as for any alert after a branch's first.</summary>
    private static bool s_seedCounts = true;

    public async Task RunAsync(string[] args)
    {
        if (Option(args, "--first-sms", "0") is var runs && runs != "0")
        {
            if (!File.Exists(FunctionsDll))
            {
                throw new InvalidOperationException($"Build the Functions app first: dotnet build src/AlertPipeline.Functions -c Release ({FunctionsDll}).");
            }

            await FirstSmsAsync(int.Parse(runs, CultureInfo.InvariantCulture), TimeSpan.FromSeconds(double.Parse(Option(args, "--idle-seconds", "5"), CultureInfo.InvariantCulture)));
            return;
        }

        s_buckets = Option(args, "--buckets", "0");
        s_seedCounts = Option(args, "--seed-counts", "yes") switch
        {
            "yes" => true,
            "no" => false,
            var other => throw new ArgumentException($"--seed-counts must be 'yes' or 'no', not '{other}'.", nameof(args)),
        };
        s_pagesPerChunk = Option(args, "--pages-per-chunk", "");
        MembersPerBranch = int.Parse(Option(args, "--members-per-branch", "2000"), CultureInfo.InvariantCulture);
        if (MembersPerBranch is < 1_000 or > 1_000_000)
        {
            throw new ArgumentException("--members-per-branch must be between 1,000 and 1,000,000.", nameof(args));
        }

        if (Option(args, "--requests", "0") is var requested && requested != "0")
        {
            await RequestsAsync(int.Parse(requested, CultureInfo.InvariantCulture));
            return;
        }

        var sizes = Option(args, "--fanout", "10000,100000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Where(n => n > 0).ToList();
        var sends = int.Parse(Option(args, "--sends", "2000"), CultureInfo.InvariantCulture);
        var pace = double.Parse(Option(args, "--pace", "50"), CultureInfo.InvariantCulture);
        var limit = TimeSpan.FromMinutes(double.Parse(Option(args, "--limit-minutes", "10"), CultureInfo.InvariantCulture));
        var separateDispatch = Option(args, "--dispatch-azurite", "shared") switch
        {
            "shared" => false,
            "separate" => true,
            var other => throw new ArgumentException($"--dispatch-azurite must be 'shared' or 'separate', not '{other}'.", nameof(args)),
        };
        if (!File.Exists(FunctionsDll))
        {
            throw new InvalidOperationException($"Build the Functions app first: dotnet build src/AlertPipeline.Functions -c Release ({FunctionsDll}).");
        }

        Console.WriteLine($"pipeline: fan-out of {string.Join(", ", sizes.Select(n => n.ToString("N0", CultureInfo.InvariantCulture)))} members; " +
                          $"{sends:N0} sends with pacing off and at {pace} segments/s; delivery buckets {(s_buckets == "0" ? "by audience size" : s_buckets)}; {Environment.ProcessorCount} cores");
        var fanOuts = new List<FanOutResult>();
        foreach (var size in sizes)
        {
            fanOuts.Add(await FanOutAsync(size, limit, separateDispatch));
        }

        var sendRates = new List<SendRateResult>();
        if (sends > 0)
        {
            foreach (var rate in new[] { 0, pace })
            {
                sendRates.Add(await PipelineSendsAsync(sends, rate));
            }

            foreach (var rate in new[] { 0, pace })
            {
                sendRates.Add(await GatewaySendsAsync(sends, rate));
            }
        }

        Print(fanOuts, sendRates);
    }

    private static string FunctionsDll => RepositoryPaths.Combine("src", "AlertPipeline.Functions", "bin", "Release", "net10.0", "AlertPipeline.Functions.dll");

    private static async Task<FanOutResult> FanOutAsync(int members, TimeSpan limit, bool separateDispatch)
    {
        Console.WriteLine($"fan-out {members:N0}: starting Azurite{(separateDispatch ? " (and a second one for the dispatch queues)" : "")}, seeding…");
        var azurite = await AzuriteFixture.StartAsync();
        var dispatchAzurite = separateDispatch ? await AzuriteFixture.StartAsync() : azurite;
        try
        {
            await using var services = Storage(azurite);
            var seedWatch = Stopwatch.StartNew();
            await SeedAsync(services, members);
            var seeded = seedWatch.Elapsed;
            var (storedCounts, branchCount) = await StoredCountsAsync(services, members);
            Console.WriteLine($"fan-out {members:N0}: seeded in {seeded.TotalSeconds:0.0} s; {storedCounts} of {branchCount} branches have a stored contact count " +
                              $"({(s_buckets != "0" ? "unused: the layout is configured" : storedCounts == branchCount ? "the event counts none" : $"the event counts {branchCount - storedCounts} before its first row")}); running FanOut/FanOutChunk with the senders disabled");

            var settings = AppSettings(azurite);
            if (s_pagesPerChunk.Length > 0)
            {
                settings["Pipeline__FanOutPagesPerChunk"] = s_pagesPerChunk;
            }

            settings["AzureWebJobs.SendSms.Disabled"] = "true";
            settings["AzureWebJobs.SendEmail.Disabled"] = "true";
            settings["ServiceBusConnection"] = dispatchAzurite.ConnectionString;
            using var logs = new ProblemCounter();
            await using var host = StartHost(settings, logs);
            await host.StartAsync();
            var handler = host.WorkerProcessId ?? throw new InvalidOperationException("The handler is not running.");
            using var memory = new MemorySampler(handler);

            var queues = new QueueServiceClient(azurite.ConnectionString, StorageServiceCollectionExtensions.QueueOptions());
            var alert = Event(sms: true);
            var watch = Stopwatch.StartNew();
            await new PipelineQueues(queues).PublishAsync(alert);
            var dispatch = new QueueServiceClient(dispatchAzurite.ConnectionString, StorageServiceCollectionExtensions.QueueOptions()).GetQueueClient(QueueNames.SmsDispatch);
            var chunks = queues.GetQueueClient(QueueNames.FanOutChunks);
            var events = queues.GetQueueClient(QueueNames.AlertEvents);
            // Only the two small queues are polled (counting a deep queue costs Azurite a scan); a chunk writes its rows,
            // then its dispatch messages and its successor, and only then is deleted: both queues empty = fan-out done.
            var progress = new List<(TimeSpan At, int Dispatch)>();
            var completed = true;
            while (true)
            {
                await Task.Delay(1000);
                if (await CountAsync(events) == 0 && await CountAsync(chunks) == 0)
                {
                    break;
                }

                if (watch.Elapsed - (progress.Count == 0 ? TimeSpan.Zero : progress[^1].At) >= TimeSpan.FromSeconds(30))
                {
                    var queued = await CountAsync(dispatch);
                    progress.Add((watch.Elapsed, queued));
                    Console.WriteLine($"  {watch.Elapsed.TotalSeconds,5:0} s: {queued:N0} dispatch messages; handler RSS {memory.PeakRssMb:0} MB");
                }

                if (watch.Elapsed > limit)
                {
                    completed = false;
                    Console.WriteLine($"  stopped at the {limit.TotalMinutes:0}-minute limit");
                    break;
                }
            }

            var elapsed = watch.Elapsed;
            var peakRss = memory.ReadPeakRssMb();
            var peakHostHeap = memory.PeakHostHeapMb;
            await host.StopAsync();

            var rows = 0;
            string? token = null;
            var deliveries = services.GetRequiredService<IDeliveryStore>();
            do
            {
                var page = await deliveries.GetPageAsync(Core.Alerts.AlertId.For(alert), 1000, token);
                rows += page.Rows.Count;
                token = page.ContinuationToken;
            }
            while (token is not null);

            if (completed && rows != members)
            {
                throw new InvalidOperationException($"fan-out of {members:N0} wrote {rows:N0} rows.");
            }

            var dispatched = await CountAsync(dispatch);
            var layout = (await services.GetRequiredService<IAlertStore>().GetAsync(Core.Alerts.AlertId.For(alert)))?.Layout ?? Core.Alerts.DeliveryLayout.Sixteen;
            var depth = await DepthCostAsync(azurite, dispatchAzurite, Core.Alerts.AlertId.For(alert), layout);
            Console.WriteLine($"  Azurite after it: {depth}");
            Console.WriteLine($"fan-out {members:N0}: {elapsed.TotalSeconds:0.0} s, {rows:N0} rows in {layout.Buckets} buckets, {dispatched:N0} dispatch messages, handler peak RSS {peakRss:0} MB, {logs.Problems} warnings/errors");
            return new FanOutResult(members, seeded, elapsed, rows, dispatched, peakRss, peakHostHeap, logs.Problems, completed, progress, depth)
            {
                Buckets = layout.Buckets,
                CountedAtEvent = s_buckets != "0" ? 0 : branchCount - storedCounts,
            };
        }
        finally
        {
            azurite.Stop();
            if (separateDispatch)
            {
                dispatchAzurite.Stop();
            }
        }
    }

    private static async Task<SendRateResult> PipelineSendsAsync(int members, double segmentsPerSecond)
    {
        var label = segmentsPerSecond == 0 ? "pacing off" : $"pacing {segmentsPerSecond} seg/s";
        Console.WriteLine($"pipeline sends, {label}: {members:N0} members");
        var azurite = await AzuriteFixture.StartAsync();
        await using var twilio = await FakeTwilioServer.StartAsync();
        try
        {
            await using var services = Storage(azurite);
            await SeedAsync(services, members);
            var settings = AppSettings(azurite);
            settings["Twilio:AccountSid"] = twilio.AccountSid;
            settings["Twilio:AuthToken"] = twilio.AuthToken;
            settings["Twilio:MessagingServiceSid"] = "MG0123456789abcdef0123456789abcdef";
            settings["Twilio:BaseUri"] = twilio.BaseUri.AbsoluteUri;
            settings["Twilio:SegmentsPerSecond"] = segmentsPerSecond.ToString(CultureInfo.InvariantCulture);
            using var logs = new ProblemCounter();
            await using var host = StartHost(settings, logs);
            await host.StartAsync();

            var watch = Stopwatch.StartNew();
            await new PipelineQueues(new QueueServiceClient(azurite.ConnectionString, StorageServiceCollectionExtensions.QueueOptions())).PublishAsync(Event(sms: true));
            var limit = TimeSpan.FromSeconds(120 + (segmentsPerSecond == 0 ? 0 : members * 3 / segmentsPerSecond));
            await Poll.UntilAsync(() => twilio.SentMessages.Count >= members, $"{members} SMS at the fake Twilio", limit);
            var total = watch.Elapsed;
            await host.StopAsync();
            var result = Rate("pipeline (local host, SendSms)", segmentsPerSecond, twilio.SentMessages, total, logs.Problems);
            Console.WriteLine($"  {result.MessagesPerSecond:0.0} msg/s, {result.SegmentsPerSecond:0.0} seg/s");
            return result;
        }
        finally
        {
            azurite.Stop();
        }
    }

    /// <summary>
    /// Latency, not throughput: the time from an event enqueued on <c>alert-events</c> to the first SMS the loopback fake
    /// Twilio receives (its own receive time), through the local host and the real app on Azurite, 10 members, pacing off.
    /// Before each run the host idles for <paramref name="idle"/>, so every queue listener has backed off to host.json's
    /// <c>maxPollingInterval</c>, as an idle app in Azure would be.
    /// </summary>
    private static async Task FirstSmsAsync(int runs, TimeSpan idle)
    {
        Console.WriteLine($"first SMS: {runs} runs, {idle.TotalSeconds:0} s idle before each; {Environment.ProcessorCount} cores");
        var azurite = await AzuriteFixture.StartAsync();
        await using var twilio = await FakeTwilioServer.StartAsync();
        try
        {
            await using var services = Storage(azurite);
            await SeedAsync(services, 10);
            var settings = AppSettings(azurite);
            settings["Twilio:AccountSid"] = twilio.AccountSid;
            settings["Twilio:AuthToken"] = twilio.AuthToken;
            settings["Twilio:MessagingServiceSid"] = "MG0123456789abcdef0123456789abcdef";
            settings["Twilio:BaseUri"] = twilio.BaseUri.AbsoluteUri;
            settings["Twilio:SegmentsPerSecond"] = "0";
            using var logs = new ProblemCounter();
            await using var host = StartHost(settings, logs);
            await host.StartAsync();
            var queues = new PipelineQueues(new QueueServiceClient(azurite.ConnectionString, StorageServiceCollectionExtensions.QueueOptions()));
            var latencies = new List<TimeSpan>();
            for (var run = 0; run < runs; run++)
            {
                await Task.Delay(idle);
                var before = twilio.SentMessages.Count;
                var enqueued = DateTimeOffset.UtcNow;
                await queues.PublishAsync(Event(sms: true));
                await Poll.UntilAsync(() => twilio.SentMessages.Count >= before + 10, "10 SMS at the fake Twilio", TimeSpan.FromSeconds(60));
                var first = twilio.SentMessages.Skip(before).Min(m => m.DateCreated);
                latencies.Add(first - enqueued);
                Console.WriteLine($"  run {run + 1}: first SMS after {(first - enqueued).TotalMilliseconds:N0} ms");
            }

            await host.StopAsync();
            var sorted = latencies.Order().ToList();
            Console.WriteLine($"event → first SMS: min {sorted[0].TotalMilliseconds:N0} ms, median {sorted[sorted.Count / 2].TotalMilliseconds:N0} ms, max {sorted[^1].TotalMilliseconds:N0} ms; host warnings/errors: {logs.Problems}");
        }
        finally
        {
            azurite.Stop();
        }
    }

    private static async Task<SendRateResult> GatewaySendsAsync(int sends, double segmentsPerSecond)
    {
        Console.WriteLine($"gateway sends, {(segmentsPerSecond == 0 ? "pacing off" : $"pacing {segmentsPerSecond} seg/s")}: {sends:N0}");
        await using var twilio = await FakeTwilioServer.StartAsync();
        var settings = new Dictionary<string, string?>(twilio.ConfigurationValues())
        {
            ["Twilio:From"] = null,
            ["Twilio:MessagingServiceSid"] = "MG0123456789abcdef0123456789abcdef",
            ["Twilio:SegmentsPerSecond"] = segmentsPerSecond.ToString(CultureInfo.InvariantCulture),
        };
        await using var services = new ServiceCollection()
            .AddSmsGateway(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();
        var gateway = services.GetRequiredService<ISmsGateway>();
        var bodies = new[] { SampleBodyEn, SampleBodyRu };
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, sends), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await gateway.SendAsync(new SmsSendRequest(Phone(i), bodies[i % 2], $"bench-{i}"), ct));
        var result = Rate("gateway (TwilioSmsGateway, 16 in flight)", segmentsPerSecond, twilio.SentMessages, watch.Elapsed, 0);
        Console.WriteLine($"  {result.MessagesPerSecond:0.0} msg/s, {result.SegmentsPerSecond:0.0} seg/s");
        return result;
    }

    private static SendRateResult Rate(string path, double configured, IReadOnlyList<FakeTwilioMessage> messages, TimeSpan total, int problems)
    {
        var distinct = messages.Select(m => m.To).Distinct().Count();
        var first = messages.Min(m => m.DateCreated);
        var last = messages.Max(m => m.DateCreated);
        var span = Math.Max((last - first).TotalSeconds, 0.001);
        var segments = messages.Sum(m => m.NumSegments);
        return new SendRateResult(path, configured, messages.Count, distinct, segments, total, (messages.Count - 1) / span, (segments - messages[0].NumSegments) / span, problems);
    }

    /// <summary>
    /// Separates the emulator from the pipeline: 1,000 delivery-sized rows (batches of 100) into one of the alert's
    /// Deliveries partitions (bucket 0 of its layout) and into a fresh partition, and 1,000 dispatch-sized messages onto the deep sms-dispatch queue and onto a
    /// fresh queue, all after the fan-out (nothing else running).
    /// </summary>
    private static async Task<DepthCost> DepthCostAsync(AzuriteFixture azurite, AzuriteFixture dispatchAzurite, Core.Alerts.AlertId alertId, Core.Alerts.DeliveryLayout layout)
    {
        const int count = 1_000;
        var table = new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString).GetTableClient(PipelineTables.Deliveries);
        async Task<double> RowsAsync(string partition)
        {
            var watch = Stopwatch.StartNew();
            foreach (var batch in Enumerable.Range(0, count).Chunk(100))
            {
                await table.SubmitTransactionAsync(batch.Select(i => new Azure.Data.Tables.TableTransactionAction(
                    Azure.Data.Tables.TableTransactionActionType.Add,
                    new Azure.Data.Tables.TableEntity(partition, $"zz-bench-{i:D6}")
                    {
                        ["Status"] = "Pending", ["UnionId"] = Union, ["BranchId"] = "b000", ["ContactId"] = $"m{i:D6}",
                        ["Address"] = Phone(i), ["CreatedAt"] = DateTimeOffset.UtcNow, ["Attempt"] = 0,
                    })));
            }

            return count / watch.Elapsed.TotalSeconds;
        }

        var queues = new QueueServiceClient(dispatchAzurite.ConnectionString, StorageServiceCollectionExtensions.QueueOptions());
        async Task<double> SendsAsync(QueueClient queue)
        {
            await queue.CreateIfNotExistsAsync();
            var watch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
                await queue.SendMessageAsync($$"""{"alertId":"{{alertId.Value}}","deliveryKey":"{{alertId.Value}}-sms-{{i:x32}}"}""", cancellationToken: ct));
            return count / watch.Elapsed.TotalSeconds;
        }

        return new DepthCost(
            await RowsAsync(DeliveryPartitions.PartitionKey(alertId, layout, 0)),
            await RowsAsync("fresh-partition"),
            await SendsAsync(queues.GetQueueClient(QueueNames.SmsDispatch)),
            await SendsAsync(queues.GetQueueClient(AzuriteFixture.UniqueName("fresh"))));
    }

    private static ServiceProvider Storage(AzuriteFixture azurite)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString })
            .Build();
        return new ServiceCollection().AddLogging().AddPipelineStorage(configuration).BuildServiceProvider();
    }

    /// <summary>One union, a branch per 2,000 members, one subscribed campaign; members in Russian and English, SMS only.</summary>
    private static async Task SeedAsync(ServiceProvider services, int members)
    {
        var membership = services.GetRequiredService<MembershipRepository>();
        var union = UnionId.Parse(Union);
        await membership.UpsertUnionAsync(new Union(union, "Benchmark Oil Workers"));
        await membership.UpsertCampaignAsync(new Campaign(CampaignId.Parse(Campaign), "Benchmark campaign", "help@example.org", LanguageTag.English));
        await membership.UpsertSubscriptionAsync(new Subscription(CampaignId.Parse(Campaign), union));
        var branches = (members + MembersPerBranch - 1) / MembersPerBranch;
        for (var b = 0; b < branches; b++)
        {
            await membership.UpsertBranchAsync(new Branch(union, BranchId.Parse($"b{b:D3}"), $"Branch {b}"));
        }

        var english = LanguageTag.English;
        var russian = LanguageTag.Parse("ru");
        var zone = TimeZoneId.Parse("Asia/Aqtau");
        await Parallel.ForEachAsync(Enumerable.Range(0, branches), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (b, ct) =>
        {
            var branch = BranchId.Parse($"b{b:D3}");
            var contacts = Enumerable.Range(b * MembersPerBranch, Math.Min(MembersPerBranch, members - (b * MembersPerBranch)))
                .Select(i => new ContactEntry(new Contact
                {
                    UnionId = union,
                    BranchId = branch,
                    ContactId = ContactId.Parse($"m{i:D6}"),
                    Name = $"Member {i}",
                    Phone = PhoneNumber.Parse(Phone(i)),
                    Language = i % 3 == 0 ? english : russian,
                    TimeZone = zone,
                    Consent = new Consent(Sms: true, Email: false),
                }));
            await membership.UpsertContactsAsync(contacts, ct);
            if (s_seedCounts)
            {
                // What an import job does at its end (ContactImportJobs): count the branch, keys only, and store it on its row.
                await membership.RecountContactsAsync(union, branch, NodaTime.Instant.FromDateTimeOffset(DateTimeOffset.UtcNow), ct);
            }
        });
    }

    /// <summary>How many of the seeded branches have a stored contact count: each one without is counted at the event (before any row).</summary>
    private static async Task<(int Stored, int Branches)> StoredCountsAsync(ServiceProvider services, int members)
    {
        var membership = services.GetRequiredService<MembershipRepository>();
        var branches = (members + MembersPerBranch - 1) / MembersPerBranch;
        var stored = 0;
        for (var b = 0; b < branches; b++)
        {
            stored += await membership.GetAsync(UnionId.Parse(Union), BranchId.Parse($"b{b:D3}")) is null ? 0 : 1;
        }

        return (stored, branches);
    }

    // +4479 then 8 digits: every number up to 1,999,999 is in an assigned UK mobile range (+4477… leaves them at 200,000).
    private static string Phone(int i) => $"+4479{i:D8}";

    private const string SampleBodyEn = "Member 1: the appeal of the jailed oil union activists is heard on 24 November 2026 at 10:00. Support: https://example.org/appeal";
    private const string SampleBodyRu = "Member 2, апелляция заключённых активистов-нефтяников 24.11.2026 в 10:00. Поддержите: https://example.org/appeal";

    private static AlertEvent Event(bool sms)
    {
        var hearing = DateTime.UtcNow.AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var json = $$$"""
            {
              "schemaVersion": 1, "eventId": "bench-appeal-{{{Guid.NewGuid():N}}}", "kind": "trial-date",
              "occurredAt": "{{{DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}}}",
              "campaignId": "{{{Campaign}}}",
              "occurrence": { "localDateTime": "{{{hearing}}}T10:00", "timeZone": "Asia/Aqtau" },
              "reminder": "day-before", "channels": [{{{(sms ? "\"sms\"" : "\"email\"")}}}],
              "variables": { "link": "https://example.org/appeal" },
              "templates": {
                "en": { "sms": "{{name}}: the appeal of the jailed oil union activists is heard on {{date}} at {{time}}. Support: {{link}}" },
                "ru": { "sms": "{{name}}, апелляция заключённых активистов-нефтяников {{date}} в {{time}}. Поддержите: {{link}}" }
              }
            }
            """;
        return AlertEventParser.Parse(json).Value;
    }

    private static Dictionary<string, string?> AppSettings(AzuriteFixture azurite) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
        ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
        ["ServiceBusConnection"] = azurite.ConnectionString,
        ["AzureWebJobs.ScheduleTick.Disabled"] = "true",
        ["ScheduleTick:Schedule"] = "0 */1 * * * *",
        ["Pipeline__QuietHours"] = "off", // measure sends now, whatever the members' local time
        ["Pipeline__DeliveryBuckets"] = s_buckets,
        ["Outbox__Directory"] = Path.Combine(Path.GetTempPath(), "alertpipeline-bench-outbox"),
        ["Logging__LogLevel__Default"] = "Warning",
    };

    private static FunctionsLocalHost StartHost(Dictionary<string, string?> settings, ProblemCounter logs)
    {
        var options = new FunctionsLocalHostOptions
        {
            ScriptRoot = Path.GetDirectoryName(FunctionsDll)!, // the built isolated-worker app, run unmodified
            HttpPort = 0,
            IncludeEnvironmentVariables = false,
            LoggerFactory = logs.Factory,
            ShutdownTimeout = TimeSpan.FromSeconds(15),
        };
        foreach (var (key, value) in settings)
        {
            options.Settings[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return new FunctionsLocalHost(options);
    }

    private static async Task<int> CountAsync(QueueClient queue) =>
        await queue.ExistsAsync() ? await queue.GetApproximateMessageCountAsync() : 0;

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static void Print(List<FanOutResult> fanOuts, List<SendRateResult> sends)
    {
        Console.WriteLine();
        if (fanOuts.Count > 0)
        {
            Console.WriteLine("| members | branches | delivery buckets | branches counted at the event | seed (batched upserts) | fan-out: event → all rows + dispatch messages | rows / dispatch messages | rate | handler peak RSS | local host peak GC heap | warnings |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var f in fanOuts)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {f.Members:N0} | {(f.Members + MembersPerBranch - 1) / MembersPerBranch} | {f.Buckets} | {f.CountedAtEvent} | {f.Seed.TotalSeconds:0.0} s | {(f.Completed ? "" : "not finished after ")}{f.FanOut.TotalSeconds:0.0} s | {f.Rows:N0} / {f.Dispatched:N0} | {f.Dispatched / f.FanOut.TotalSeconds:N0}/s | {f.HandlerPeakRssMb:0} MB | {f.HostPeakHeapMb:0} MB | {f.Problems} |"));
            }

            foreach (var f in fanOuts)
            {
                Console.WriteLine($"{f.Members:N0}: Azurite after the fan-out: {f.Depth}");
            }

            foreach (var f in fanOuts.Where(f => f.Progress.Count > 1))
            {
                Console.WriteLine($"{f.Members:N0}: dispatch messages over time: " + string.Join(", ", f.Progress.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.At.TotalSeconds:0} s {p.Dispatch:N0}"))));
            }

            Console.WriteLine();
        }

        if (sends.Count > 0)
        {
            Console.WriteLine("| path | pacing configured | SMS | distinct To | segments | achieved msg/s | achieved seg/s | wall (enqueue → last) |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            foreach (var s in sends)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {s.Path} | {(s.Configured == 0 ? "off" : s.Configured + " seg/s")} | {s.Messages:N0} | {s.DistinctTo:N0} | {s.Segments:N0} | {s.MessagesPerSecond:0.0} | {s.SegmentsPerSecond:0.0} | {s.Total.TotalSeconds:0.0} s |"));
            }
        }
    }

    private sealed record FanOutResult(
        int Members, TimeSpan Seed, TimeSpan FanOut, int Rows, int Dispatched, double HandlerPeakRssMb, double HostPeakHeapMb, int Problems,
        bool Completed, IReadOnlyList<(TimeSpan At, int Dispatch)> Progress, DepthCost Depth)
    {
        /// <summary>The alert's partition layout (its Alerts row's DeliveryBuckets).</summary>
        public int Buckets { get; init; } = 16;

        /// <summary>Branches without a stored contact count when the event arrived (each counted before the first row).</summary>
        public int CountedAtEvent { get; init; }
    }

    /// <summary>Azurite's cost of the same writes into the fanned-out (deep) partition and queue and into fresh ones.</summary>
    private sealed record DepthCost(double DeepRowsPerSecond, double FreshRowsPerSecond, double DeepSendsPerSecond, double FreshSendsPerSecond)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"rows in batches of 100: {DeepRowsPerSecond:N0}/s into one of the alert's partitions (bucket 0) vs {FreshRowsPerSecond:N0}/s into a new one; " +
            $"queue sends (16 in flight): {DeepSendsPerSecond:N0}/s onto sms-dispatch vs {FreshSendsPerSecond:N0}/s onto a new queue");
    }

    private sealed record SendRateResult(
        string Path, double Configured, int Messages, int DistinctTo, int Segments, TimeSpan Total, double MessagesPerSecond, double SegmentsPerSecond, int Problems);

    /// <summary>Samples the handler's resident memory (/proc VmRSS, VmHWM) and this process's GC heap every 200 ms.</summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly int _pid;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private double _peakRss;
        private double _peakHostHeap;

        public MemorySampler(int pid)
        {
            _pid = pid;
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    _peakRss = Math.Max(_peakRss, ReadStatusMb("VmRSS"));
                    _peakHostHeap = Math.Max(_peakHostHeap, GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0);
                    try
                    {
                        await Task.Delay(200, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            });
        }

        public double PeakRssMb => _peakRss;

        public double PeakHostHeapMb => _peakHostHeap;

        /// <summary>The kernel's high-water mark of the handler's resident set (catches peaks between samples).</summary>
        public double ReadPeakRssMb() => Math.Max(_peakRss, ReadStatusMb("VmHWM"));

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait(TimeSpan.FromSeconds(2));
            _stop.Dispose();
        }

        private double ReadStatusMb(string field)
        {
            try
            {
                var line = File.ReadLines($"/proc/{_pid}/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
                return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
            catch (IOException)
            {
                return 0;
            }
        }
    }

    /// <summary>Counts the local host's warnings and errors (a clean run has none worth reading).</summary>
    private sealed class ProblemCounter : ILoggerProvider
    {
        private int _problems;

        public ProblemCounter()
        {
            Factory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Warning).AddProvider(this));
        }

        public ILoggerFactory Factory { get; }

        public int Problems => _problems;

        public ILogger CreateLogger(string categoryName) => new Counter(this);

        public void Dispose() => Factory.Dispose();

        private sealed class Counter(ProblemCounter owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (Interlocked.Increment(ref owner._problems) <= 5)
                {
                    Console.WriteLine($"  host {logLevel}: {formatter(state, exception)}");
                }
            }
        }
    }
}

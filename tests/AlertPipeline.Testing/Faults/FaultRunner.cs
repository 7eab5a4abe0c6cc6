using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Storage;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.Testing.Faults;

/// <summary>
/// The fault harness (issue 15, docs/reliability.md). Runs the REAL Functions app under the local host (a separate OS
/// process, as deployed) on an Azurite that keeps its data on disk, with the loopback fake Twilio and the aiosmtpd sink
/// behind a fault proxy; seeds the people, enqueues the alerts, and while the pipeline works SIGKILLs the worker or the
/// local host (each followed by a restart), restarts Azurite once, and blows storms of Twilio and SMTP faults. Then it
/// counts, from the fake's log of accepted messages and the sink's mail against the Deliveries rows, the duplicates and
/// the missing deliveries. It only touches the app from outside: the alert-events queue, the tables, the fakes' logs
/// and process control.
/// </summary>
public sealed partial class FaultRunner(FaultRunOptions options, TextWriter progress)
{
    /// <summary>With <see cref="FaultRunOptions.StatusCallbacks"/>: when the fake Twilio sends each accepted message's <c>sent</c> status callback (real Twilio: within seconds).</summary>
    public static readonly TimeSpan SentCallbackAfter = TimeSpan.FromSeconds(2);

    private readonly Stopwatch _clock = new();
    private DateTimeOffset _clockStartedAt;
    private readonly List<TimeSpan> _azuriteRestartTimes = [];
    private Action<string>? _harnessLog;

    /// <param name="cancellationToken">Cancelled (Ctrl+C in the command): the faults stop, the run stops waiting for the
    /// drain, and the report counts what is there (drained: no).</param>
    public async Task<FaultReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var output = options.OutputDirectory ?? Path.Combine(Path.GetTempPath(), "alertpipeline-faults", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + options.Seed.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(output);
        var log = new StreamWriter(Path.Combine(output, "harness.log")) { AutoFlush = true };
        await using (log.ConfigureAwait(false))
        {
            _harnessLog = log.WriteLine;
            try
            {
                return await RunInAsync(output, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _harnessLog = null;
            }
        }
    }

    internal static string FunctionsBuild(string configuration) => RepositoryPaths.Combine("src", "AlertPipeline.Functions", "bin", configuration, "net10.0");

    internal static string LocalHostDll(string configuration) => RepositoryPaths.Combine("src", "AlertPipeline.LocalHost", "bin", configuration, "net10.0", "AlertPipeline.LocalHost.dll");

    /// <summary>The 1/5/15-minute load averages, comma-separated (three space-separated decimals read as a phone number to a log scan).</summary>
    internal static string Load() => File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private async Task<FaultReport> RunInAsync(string output, CancellationToken cancellationToken)
    {
        foreach (var path in new[] { Path.Combine(FunctionsBuild(options.Configuration), "AlertPipeline.Functions.dll"), LocalHostDll(options.Configuration) })
        {
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"{path} is not built; build src/AlertPipeline.Functions and src/AlertPipeline.LocalHost -c {options.Configuration}.");
            }
        }

        FictionalNumbers.Accept();
        var loadAtStart = Load();
        Say($"fault run: seed {options.Seed}, {options.Recipients:N0} recipients, {options.Kills} kills, Azurite restart {(options.RestartAzurite ? "on" : "off")}; load {loadAtStart}; output {output}");
        var killRandom = new Random(options.Seed);
        var storms = new StormSchedule(options, new Random(options.Seed + 1), new Random(options.Seed + 2));

        using var azurite = await HarnessAzurite.StartAsync(new HarnessAzuriteOptions(Path.Combine(output, "azurite"))).ConfigureAwait(false);
        await using var twilio = await FakeTwilioServer.StartAsync().ConfigureAwait(false);
        twilio.SlowResponseDelay = options.SlowTwilio;
        twilio.FaultSchedule = storms.NextTwilio;
        twilio.SentCallbackAfter = options.StatusCallbacks ? SentCallbackAfter : null;
        await using var smtp = await SmtpSink.StartAsync().ConfigureAwait(false);
        await using var proxy = SmtpFaultProxy.Start(smtp.Port);
        proxy.Schedule = storms.NextSmtp;

        var scriptRoot = Path.Combine(output, "app");
        var httpPort = FreePort.Next();
        var seed = FaultSeed.Create(options.Recipients);
        var alertIds = new List<AlertId>();
        foreach (var alert in seed.Alerts)
        {
            var parsed = AlertEventParser.Parse(alert.Body);
            if (!parsed.IsSuccess)
            {
                throw new InvalidOperationException($"The fault run's event {alert.EventId} does not parse: {parsed}");
            }

            alertIds.Add(AlertId.For(parsed.Value));
        }

        using var probe = options.Probe
            ? new ResponsivenessProbe(twilio, httpPort, FaultSeed.Unions[0], seed.Alerts[0].CampaignId, seed.Alerts[0].Body, alertIds[0].Value)
            : null;
        LayOutApp(options.Configuration, scriptRoot, azurite.ConnectionString, twilio, proxy.Port, httpPort, probe);

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString })
            .Build();
        await using var services = new ServiceCollection().AddLogging().AddPipelineStorage(configuration).BuildServiceProvider();

        var seedWatch = Stopwatch.StartNew();
        var seedReport = await services.GetRequiredService<SeedLoader>().LoadAsync(seed.Json, cancellationToken).ConfigureAwait(false);
        if (seedReport.Errors.Any())
        {
            throw new InvalidOperationException("The fault run's seed did not load: " + string.Join("; ", seedReport.Errors.Take(5)));
        }

        Say($"seeded {seed.People.Count:N0} people in {seed.Listings:N0} listings in {seedWatch.Elapsed.TotalSeconds:0.0} s");

        var hostIndex = 0;
        LocalHostProcess StartHost() =>
            LocalHostProcess.Start(LocalHostDll(options.Configuration), scriptRoot, options.Lease, httpPort, Path.Combine(output, $"localhost-{++hostIndex:D2}.log"));

        var host = StartHost();
        var kills = new List<KillRecord>();
        var azuriteRestarts = new List<TimeSpan>();
        TimeSpan? lastFault = null;
        try
        {
            await host.WaitForWorkerAsync(0, TimeSpan.FromSeconds(120)).ConfigureAwait(false);
            if (probe is not null)
            {
                await probe.CreateKeyAsync(cancellationToken).ConfigureAwait(false);
            }

            var events = new QueueClient(azurite.ConnectionString, Core.Pipeline.QueueNames.AlertEvents, StorageServiceCollectionExtensions.QueueOptions());
            await events.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            _clock.Start();
            _clockStartedAt = DateTimeOffset.UtcNow;
            foreach (var alert in seed.Alerts)
            {
                await events.SendMessageAsync(alert.Body, cancellationToken).ConfigureAwait(false);
            }

            var expected = seed.Alerts.Select(seed.Expected).ToList();
            var sendable = expected.Sum(e => e.Count(x => x.Sendable));
            Say($"enqueued {alertIds.Count} alerts: {expected.Sum(e => e.Count):N0} rows expected, {sendable:N0} of them to send");

            using var stopStorms = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var stormTask = storms.RunAsync(_clock, stopStorms.Token);
            var progressTask = ProgressAsync(azurite, twilio, smtp, () => kills.Count, stopStorms.Token);
            using var stopProbe = new CancellationTokenSource();
            var probeTask = probe?.RunAsync(TimeSpan.FromSeconds(15), stopProbe.Token) ?? Task.CompletedTask;

            // The kills, one after another. The first quarter land in the fan-out: each a short random wait after the
            // previous restart. The others land in the sending: each when the messages out reach a random share of
            // those to send (drawn up front, 5-90 %, in order), and at least KillDelay.Min after the previous restart.
            var early = (options.Kills + 3) / 4;
            var shares = Enumerable.Range(0, options.Kills - early).Select(_ => 0.05 + (0.85 * killRandom.NextDouble())).Order().ToList();
            var azuriteAt = options.RestartAzurite ? Math.Max(1, options.Kills / 2) : -1;
            int Out() => twilio.SentMessages.Count + CountMail(smtp);
            try
            {
                for (var i = 0; i < options.Kills && _clock.Elapsed < options.TimeLimit; i++)
                {
                    if (i < early)
                    {
                        await Task.Delay(Draw(killRandom, options.EarlyKillDelay), cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await Task.Delay(Draw(killRandom, options.KillDelay), cancellationToken).ConfigureAwait(false);
                        var due = (int)(shares[i - early] * sendable);
                        var waiting = Stopwatch.StartNew();
                        while (Out() < due && waiting.Elapsed < TimeSpan.FromMinutes(5) && _clock.Elapsed < options.TimeLimit)
                        {
                            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
                        }
                    }

                    var target = killRandom.Next(2) == 0 ? "worker" : "host";
                    if (Out() >= sendable)
                    {
                        Say($"kill #{i + 1}: every message is out already; no more kills");
                        break;
                    }

                    var phase = await PhaseAsync(azurite).ConfigureAwait(false);
                    var smsAtKill = twilio.SentMessages.Count;
                    var emailsAtKill = CountMail(smtp);

                    // Taken just before the signal (counting the sink's Maildir can take a while under load), so the
                    // missing listing places the kill where it happened.
                    var at = _clock.Elapsed;
                    var restart = Stopwatch.StartNew();
                    if (target == "worker")
                    {
                        var known = host.WorkerProcessIds.Count;
                        var pid = host.KillWorker();
                        Say($"kill #{i + 1} at {at.TotalSeconds:0.0} s: SIGKILL worker {pid} during {phase}");
                        await host.WaitForWorkerAsync(known, TimeSpan.FromSeconds(120)).ConfigureAwait(false);
                    }
                    else
                    {
                        Say($"kill #{i + 1} at {at.TotalSeconds:0.0} s: SIGKILL local host {host.ProcessId} and its worker during {phase}");
                        host.KillAll();
                        host.Dispose();
                        host = StartHost();
                        await host.WaitForWorkerAsync(0, TimeSpan.FromSeconds(120)).ConfigureAwait(false);
                    }

                    kills.Add(new KillRecord(i + 1, at, target, phase, smsAtKill, emailsAtKill, restart.Elapsed));
                    lastFault = _clock.Elapsed;

                    if (azuriteRestarts.Count == 0 && i + 1 == azuriteAt)
                    {
                        await Task.Delay(Draw(killRandom, options.KillDelay), cancellationToken).ConfigureAwait(false);
                        Say($"Azurite restart at {_clock.Elapsed.TotalSeconds:0.0} s during {await PhaseAsync(azurite).ConfigureAwait(false)} (SIGINT to each Azurite process, 3 s down, same store)");
                        _azuriteRestartTimes.Add(_clock.Elapsed);
                        azuriteRestarts.Add(await azurite.RestartAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false));
                        lastFault = _clock.Elapsed;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Say("stopped early: no more faults; counting what is there");
            }

            // The last fault: storms stop with the kills.
            await stopStorms.CancelAsync().ConfigureAwait(false);
            await stormTask.ConfigureAwait(false);
            if (storms.LastStormEnd is { } stormEnd && (lastFault is null || stormEnd > lastFault))
            {
                lastFault = stormEnd;
            }

            Say($"faults over at {lastFault?.TotalSeconds:0.0} s ({kills.Count} kills, {azuriteRestarts.Count} Azurite restarts, {storms.Storms} storms); waiting for the pipeline to drain");
            TimeSpan? drainedAt = null;
            try
            {
                drainedAt = await WaitForDrainAsync(azurite, services, alertIds, expected.Sum(e => e.Count), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Say("stopped early: not waiting for the drain");
            }

            await progressTask.ConfigureAwait(false);
            await stopProbe.CancelAsync().ConfigureAwait(false);
            await probeTask.ConfigureAwait(false);

            var report = await CountAsync(seed, alertIds, services, azurite, twilio, smtp, storms, proxy, kills, azuriteRestarts, lastFault, drainedAt, loadAtStart, output).ConfigureAwait(false);
            report = report with { Probes = probe?.Figures(output) ?? [] };
            await host.StopAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
            Say(report.ToString());
            await File.WriteAllTextAsync(Path.Combine(output, "report.txt"), report.ToString(), CancellationToken.None).ConfigureAwait(false);
            await File.WriteAllTextAsync(
                Path.Combine(output, "report.json"),
                JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }),
                CancellationToken.None).ConfigureAwait(false);
            return report;
        }
        finally
        {
            host.Dispose();
            await azurite.StopAsync().ConfigureAwait(false);
            if (!options.KeepData)
            {
                TryDelete(Path.Combine(output, "azurite"));
                TryDelete(scriptRoot);
            }
        }
    }

    private static TimeSpan Draw(Random random, (TimeSpan Min, TimeSpan Max) range) => range.Min + ((range.Max - range.Min) * random.NextDouble());

    private static int CountMail(SmtpSink smtp)
    {
        var folder = Path.Combine(smtp.MaildirPath, "new");
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder).Count() : 0;
    }

    internal static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Approximate message counts of every queue on the account (Azurite counts invisible messages too).</summary>
    private static async Task<Dictionary<string, int>> QueueDepthsAsync(HarnessAzurite azurite)
    {
        var depths = new Dictionary<string, int>(StringComparer.Ordinal);
        var service = new QueueServiceClient(azurite.ConnectionString, StorageServiceCollectionExtensions.QueueOptions());
        await foreach (var queue in service.GetQueuesAsync().ConfigureAwait(false))
        {
            var properties = await service.GetQueueClient(queue.Name).GetPropertiesAsync().ConfigureAwait(false);
            depths[queue.Name] = properties.Value.ApproximateMessagesCount;
        }

        return depths;
    }

    private static bool IsFanOutQueue(string name) => name == Core.Pipeline.QueueNames.AlertEvents || name.Contains("fanout", StringComparison.Ordinal);

    private static async Task<string> PhaseAsync(HarnessAzurite azurite)
    {
        try
        {
            var depths = await QueueDepthsAsync(azurite).ConfigureAwait(false);
            var fanOut = depths.Where(d => IsFanOutQueue(d.Key) && !d.Key.EndsWith("-poison", StringComparison.Ordinal)).Sum(d => d.Value) > 0;
            var send = depths.Where(d => !IsFanOutQueue(d.Key) && !d.Key.EndsWith("-poison", StringComparison.Ordinal)).Sum(d => d.Value) > 0;
            return (fanOut, send) switch
            {
                (true, true) => "fan-out+send",
                (true, false) => "fan-out",
                (false, true) => "send",
                _ => "idle",
            };
        }
        catch (Azure.RequestFailedException)
        {
            return "unknown";
        }
    }

    private async Task ProgressAsync(HarnessAzurite azurite, FakeTwilioServer twilio, SmtpSink smtp, Func<int> killCount, CancellationToken faultsOver)
    {
        // Every 10 s until the faults are over, then the drain loop reports.
        while (!faultsOver.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), faultsOver).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            string queues;
            try
            {
                queues = string.Join(", ", (await QueueDepthsAsync(azurite).ConfigureAwait(false)).Where(d => d.Value > 0).Select(d => $"{d.Key} {d.Value}"));
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or OperationCanceledException)
            {
                queues = "Azurite unreachable";
            }

            Say($"  {_clock.Elapsed.TotalSeconds,6:0} s: {twilio.SentMessages.Count:N0} SMS, {CountMail(smtp):N0} emails, {killCount()} kills; queues: {queues}; load {Load()}");
        }
    }

    /// <summary>
    /// Drained: no message on any queue but the poison ones, and every row of the alerts settled (none Pending or
    /// Sending). If the queues stay empty for a minute with rows still unsettled, nothing will settle them: stop and count.
    /// </summary>
    private async Task<TimeSpan?> WaitForDrainAsync(HarnessAzurite azurite, ServiceProvider services, IReadOnlyList<AlertId> alertIds, int expectedRows, CancellationToken cancellationToken)
    {
        Stopwatch? emptyFor = null;
        var lastSay = TimeSpan.Zero;
        while (_clock.Elapsed < options.TimeLimit)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            Dictionary<string, int> depths;
            try
            {
                depths = await QueueDepthsAsync(azurite).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException)
            {
                continue;
            }

            var working = depths.Where(d => !d.Key.EndsWith("-poison", StringComparison.Ordinal)).Sum(d => d.Value);
            if (_clock.Elapsed - lastSay > TimeSpan.FromSeconds(15))
            {
                lastSay = _clock.Elapsed;
                Say($"  {_clock.Elapsed.TotalSeconds,6:0} s: draining; queues: {string.Join(", ", depths.Where(d => d.Value > 0).Select(d => $"{d.Key} {d.Value}"))}; load {Load()}");
            }

            if (working > 0)
            {
                emptyFor = null;
                continue;
            }

            emptyFor ??= Stopwatch.StartNew();
            var rows = await RowsAsync(services, alertIds).ConfigureAwait(false);
            if (rows.Count >= expectedRows && rows.All(r => r.Status is not (DeliveryStatus.Pending or DeliveryStatus.Sending)))
            {
                var at = _clock.Elapsed;
                Say($"drained at {at.TotalSeconds:0.0} s: queues empty, {rows.Count:N0} rows settled");
                return at;
            }

            if (emptyFor.Elapsed > TimeSpan.FromSeconds(60))
            {
                Say($"queues empty for a minute with {rows.Count(r => r.Status is DeliveryStatus.Pending or DeliveryStatus.Sending):N0} rows unsettled and {rows.Count:N0} of {expectedRows:N0} rows written: not drained");
                return null;
            }
        }

        Say($"not drained within the {options.TimeLimit.TotalMinutes:0} min limit");
        return null;
    }

    private static async Task<List<DeliveryRecord>> RowsAsync(ServiceProvider services, IReadOnlyList<AlertId> alertIds)
    {
        var store = services.GetRequiredService<IDeliveryStore>();
        var rows = new List<DeliveryRecord>();
        foreach (var alertId in alertIds)
        {
            string? token = null;
            do
            {
                var page = await store.GetPageAsync(alertId, 1000, token).ConfigureAwait(false);
                rows.AddRange(page.Rows);
                token = page.ContinuationToken;
            }
            while (token is not null);
        }

        return rows;
    }

    private async Task<FaultReport> CountAsync(
        FaultSeed seed,
        IReadOnlyList<AlertId> alertIds,
        ServiceProvider services,
        HarnessAzurite azurite,
        FakeTwilioServer twilio,
        SmtpSink smtp,
        StormSchedule storms,
        SmtpFaultProxy proxy,
        List<KillRecord> kills,
        List<TimeSpan> azuriteRestarts,
        TimeSpan? lastFault,
        TimeSpan? drainedAt,
        string loadAtStart,
        string output)
    {
        var hasher = services.GetRequiredService<RecipientHasher>();
        var rows = await RowsAsync(services, alertIds).ConfigureAwait(false);
        var byKey = rows.ToDictionary(r => r.Key.Value, StringComparer.Ordinal);

        // Every message, by its delivery reference: the SMS status callback URL's ref, the email's X-AlertPipeline-Delivery.
        var sms = twilio.SentMessages;
        var mail = await smtp.ReadMessagesAsync().ConfigureAwait(false);
        var messages = new List<(string? Reference, string Recipient, bool Email)>();
        messages.AddRange(sms.Select(m => (ReferenceOf(m.StatusCallback), m.To, false)));
        messages.AddRange(mail.Select(m => (m.Header(Infrastructure.Email.SmtpEmailSender.DeliveryHeader), (m.Header("To") ?? string.Empty).Trim().ToLowerInvariant(), true)));

        var byReference = messages.Where(m => m.Reference is not null).GroupBy(m => m.Reference!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var duplicatesByReference = byReference.Values.Sum(n => n - 1);
        var duplicateEmails = messages.Where(m => m.Email && m.Reference is not null).GroupBy(m => m.Reference!, StringComparer.Ordinal).Sum(g => g.Count() - 1);
        var duplicatesByRecipient = messages
            .GroupBy(m => (Alert: m.Reference is { } r && DeliveryKey.TryParse(r, out var key, out _) ? key.AlertId.Value : "?", m.Recipient, m.Email))
            .Sum(g => g.Count() - 1);

        var missing = new SortedDictionary<string, int>(StringComparer.Ordinal)
        {
            ["no row"] = 0,
            ["unsettled (Pending/Sending)"] = 0,
            ["terminal without a reason"] = 0,
        };
        var unwanted = new SortedDictionary<string, int>(StringComparer.Ordinal)
        {
            ["message without a row"] = 0,
            ["message to an opted-out or non-consenting recipient"] = 0,
            ["message for a Skipped or Failed row"] = 0,
        };

        var missingRows = new List<MissingRow>();
        var expectedRows = 0;
        for (var a = 0; a < alertIds.Count; a++)
        {
            foreach (var (channel, address, sendable) in seed.Expected(seed.Alerts[a]))
            {
                expectedRows++;
                var hash = channel == "sms" ? hasher.Hash(PhoneNumber.Parse(address)) : hasher.Hash(EmailAddress.Parse(address));
                var key = new DeliveryKey(alertIds[a], channel == "sms" ? Channel.Sms : Channel.Email, hash).Value;
                var sent = byReference.GetValueOrDefault(key);
                if (!byKey.ContainsKey(key))
                {
                    missing["no row"]++;
                    missingRows.Add(new MissingRow(key, channel, "no row", "no row", null, null, 0, null, null, null, null, null));
                }

                if (!sendable && sent > 0)
                {
                    unwanted["message to an opted-out or non-consenting recipient"] += sent;
                }
            }
        }

        foreach (var row in rows)
        {
            var sent = byReference.GetValueOrDefault(row.Key.Value);
            switch (row.Status)
            {
                case DeliveryStatus.Pending or DeliveryStatus.Sending:
                    missing["unsettled (Pending/Sending)"]++;
                    missingRows.Add(Missing(row, "unsettled (Pending/Sending)"));
                    break;
                case DeliveryStatus.Sent or DeliveryStatus.Delivered when sent == 0:
                    // Split by channel, and for email whether the row says its handover was unconfirmed (the policy's loss).
                    var what = $"Sent without a message ({row.Key.Channel.ToWireName()}{(row.Unconfirmed is null ? string.Empty : ", unconfirmed")})";
                    missing[what] = missing.GetValueOrDefault(what) + 1;
                    missingRows.Add(Missing(row, what));
                    break;
                case DeliveryStatus.Skipped when row.SkipReason is null:
                case DeliveryStatus.Failed or DeliveryStatus.Undelivered when row.FailureReason is null && row.ErrorCode is null:
                    missing["terminal without a reason"]++;
                    missingRows.Add(Missing(row, "terminal without a reason"));
                    break;
            }

            if (row.Status is DeliveryStatus.Skipped or DeliveryStatus.Failed && sent > 0 && row.FailureReason is null)
            {
                unwanted["message for a Skipped or Failed row"] += sent;
            }
        }

        unwanted["message without a row"] = messages.Count(m => m.Reference is null || !byKey.ContainsKey(m.Reference));

        var states = rows
            .GroupBy(r => r.Status switch
            {
                DeliveryStatus.Skipped => $"Skipped {r.SkipReason}",
                DeliveryStatus.Failed or DeliveryStatus.Undelivered => $"{r.Status} {r.FailureReason?.ToString() ?? r.ErrorCode}",
                _ => r.Status.ToString(),
            })
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        var poison = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (queue, depth) in await QueueDepthsAsync(azurite).ConfigureAwait(false))
        {
            if (queue.EndsWith("-poison", StringComparison.Ordinal) && depth > 0)
            {
                poison[queue] = depth;
            }
        }

        var stormFaults = new SortedDictionary<string, int>(storms.Injected.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal);
        foreach (var (kind, count) in proxy.Counts.Where(kv => kv.Key != SmtpFault.None))
        {
            stormFaults["smtp connections cut/refused:" + kind] = count;
        }

        return new FaultReport
        {
            Seed = options.Seed,
            Recipients = seed.People.Count,
            Listings = seed.Listings,
            Kills = kills,
            KillsRequested = options.Kills,
            AzuriteRestarts = azuriteRestarts,
            Storms = storms.Storms,
            StormFaults = stormFaults,
            TwilioAnswers = twilio.CreateRequests.GroupBy(r => r.ResponseStatus).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count()),
            SentCallbacks = (twilio.SentCallbacksAnswered, twilio.SentCallbacksFailed),
            RowsExpected = expectedRows,
            Rows = rows.Count,
            RowStates = states,
            SmsAccepted = sms.Count,
            EmailsStored = mail.Count,
            DuplicatesByReference = duplicatesByReference,
            DuplicatesByRecipient = duplicatesByRecipient,
            DuplicateEmails = duplicateEmails,
            DuplicateReferences = byReference.Where(kv => kv.Value > 1).Select(kv => kv.Key).Order(StringComparer.Ordinal).Take(100).ToList(),
            Missing = missing,
            MissingDeliveries = MissingListing.Describe(WithHandoverLogs(missingRows, output), Timeline(kills, storms, proxy)),
            Unwanted = unwanted,
            Poison = poison,
            Duration = _clock.Elapsed,
            LastFaultAt = lastFault,
            DrainedAt = drainedAt,
            LoadAtStart = loadAtStart,
            LoadAtEnd = Load(),
            OutputDirectory = output,
            LogLeaks = ScanLogs(output),
        };
    }

    /// <summary>A missing row as the listing shows it: its reference (a hash), state, reason and times on the run's clock.</summary>
    private MissingRow Missing(DeliveryRecord row, string why) => new(
        row.Key.Value,
        row.Key.Channel.ToWireName(),
        why,
        row.Status.ToString(),
        row.Unconfirmed ?? row.FailureReason?.ToString() ?? row.SkipReason?.ToString(),
        row.ErrorCode,
        row.Attempt,
        RunSeconds(row.FirstClaimedAt),
        RunSeconds(row.ClaimedAt),
        RunSeconds(row.HandedOverAt),
        RunSeconds(row.SentAt),
        RunSeconds(row.UpdatedAt))
    {
        HandoverStoredAt = RunSeconds(row.HandoverStoredAt),
    };

    /// <summary>
    /// The missing emails' handover steps from the workers' logs (SmtpEmailSender's events 3204 and 3205, relayed by the
    /// local host, stamped with its wall clock when it wrote them): when the mark was answered, when the end of data was.
    /// A worker's lines after its local host was killed are lost with the host.
    /// </summary>
    private List<MissingRow> WithHandoverLogs(List<MissingRow> rows, string output)
    {
        var wanted = rows.Where(r => r.HandedOverAt is not null).Select(r => r.Reference).ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return rows;
        }

        var marked = new Dictionary<string, double>(StringComparer.Ordinal);
        var ended = new Dictionary<string, double>(StringComparer.Ordinal);
        var day = _clockStartedAt.ToLocalTime();
        foreach (var file in Directory.EnumerateFiles(output, "localhost-*.log"))
        {
            foreach (var line in File.ReadLines(file))
            {
                if (HandoverLogLine().Match(line) is not { Success: true } match || !wanted.Contains(match.Groups["ref"].Value)
                    || !TimeSpan.TryParseExact(match.Groups["time"].Value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture, out var timeOfDay))
                {
                    continue;
                }

                var at = new DateTimeOffset(day.Date + timeOfDay, day.Offset);
                if (at < day - TimeSpan.FromHours(1))
                {
                    at = at.AddDays(1); // past midnight
                }

                (match.Groups["what"].Value == "handover ready" ? marked : ended)[match.Groups["ref"].Value] = RunSeconds(at);
            }
        }

        return [.. rows.Select(r => r with
        {
            MarkAnsweredAt = marked.TryGetValue(r.Reference, out var m) ? m : null,
            EndOfDataAnsweredAt = ended.TryGetValue(r.Reference, out var e) ? e : null,
        })];
    }

    private double? RunSeconds(NodaTime.Instant? instant) => instant is { } i ? RunSeconds(i.ToDateTimeOffset()) : null;

    private double RunSeconds(DateTimeOffset at) => (at - _clockStartedAt).TotalSeconds;

    /// <summary>Every fault of the run on its clock: kills, Azurite restarts, storms, the SMTP proxy's refusals and cuts.</summary>
    private List<FaultEvent> Timeline(List<KillRecord> kills, StormSchedule storms, SmtpFaultProxy proxy)
    {
        var events = new List<FaultEvent>();
        events.AddRange(kills.Select(k => new FaultEvent(k.At.TotalSeconds, "kill", $"#{k.Number} {k.Target} at {k.At.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s")));
        events.AddRange(_azuriteRestartTimes.Select(t => new FaultEvent(t.TotalSeconds, "azurite restart", $"at {t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s")));
        events.AddRange(storms.Windows.Select(w => new FaultEvent(w.Start.TotalSeconds, "storm", string.Empty, w.End.TotalSeconds)));
        events.AddRange(proxy.Cuts.Select(c => new FaultEvent(RunSeconds(c.At), c.Fault == SmtpFault.None ? "smtp:ClientGoneAfterEndOfData" : "smtp:" + c.Fault, c.Reference is null ? string.Empty : MissingListing.CutDetail(c.Reference, c.ServerReply))));
        return [.. events.OrderBy(e => e.At)];
    }

    /// <summary>
    /// Lines of the run's logs (the local hosts', with their workers' output, and the harness's) holding a full number
    /// of the seed (+44 7700 9xx xxx in any spacing) or one of its email addresses, by file.
    /// </summary>
    private static SortedDictionary<string, int> ScanLogs(string output)
    {
        var leaks = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(output, "*.log"))
        {
            var count = File.ReadLines(file).Count(line => SeedPhone().IsMatch(line) || SeedEmail().IsMatch(line));
            if (count > 0)
            {
                leaks[Path.GetFileName(file)] = count;
            }
        }

        return leaks;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<time>\d\d:\d\d:\d\d\.\d{3}) .*Email (?<ref>[0-9a-f]{32}-email-[0-9a-f]{32}): (?<what>handover ready|end of data answered)")]
    private static partial System.Text.RegularExpressions.Regex HandoverLogLine();

    [System.Text.RegularExpressions.GeneratedRegex(@"7700[ .-]?9\d\d[ .-]?\d\d\d(?!\d)")]
    private static partial System.Text.RegularExpressions.Regex SeedPhone();

    [System.Text.RegularExpressions.GeneratedRegex(@"member\d+@union\d\.example\.org", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex SeedEmail();

    internal static string? ReferenceOf(string? statusCallback)
    {
        if (statusCallback is null || !Uri.TryCreate(statusCallback, UriKind.Absolute, out var uri))
        {
            return null;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&'))
        {
            if (pair.StartsWith("ref=", StringComparison.Ordinal))
            {
                return Uri.UnescapeDataString(pair["ref=".Length..]);
            }
        }

        return null;
    }

    /// <summary>A copy of the built app (as a deployment is one) with the repository's host.json, and its settings
    /// (the fault run's and the responsiveness run's).</summary>
    internal static void LayOutApp(string configuration, string scriptRoot, string storage, FakeTwilioServer twilio, int smtpPort, int httpPort, ResponsivenessProbe? probe)
    {
        var build = FunctionsBuild(configuration);
        foreach (var file in Directory.EnumerateFiles(build, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(scriptRoot, Path.GetRelativePath(build, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }

        File.Copy(RepositoryPaths.Combine("host.json"), Path.Combine(scriptRoot, "host.json"), overwrite: true);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["AzureWebJobsStorage"] = storage,
            ["ServiceBusConnection"] = storage,
            // The ScheduleTick runs as in production (it re-drives poisoned fan-out chunks), every 15 s to fit the run.
            ["ScheduleTick:Schedule"] = ResponsivenessProbe.TimerSchedule,
            ["AzureWebJobs.ScheduleTick.Disabled"] = "false",
            ["Twilio:AccountSid"] = twilio.AccountSid,
            ["Twilio:AuthToken"] = twilio.AuthToken,
            ["Twilio:MessagingServiceSid"] = "MG0123456789abcdef0123456789abcdef",
            ["Twilio:BaseUri"] = twilio.BaseUri.AbsoluteUri,
            ["Twilio:StatusCallbackBaseUrl"] = $"http://127.0.0.1:{httpPort}/api",
            ["Twilio:WebhookBaseUrl"] = $"http://127.0.0.1:{httpPort}",
            ["Twilio:SegmentsPerSecond"] = "0",
            ["Twilio:NetworkTimeout"] = "00:00:05",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["Smtp:UseStartTls"] = "false",
            ["Smtp:From"] = "alerts@union.example",
            ["Smtp:FromName"] = "Solidarity Alerts",
            ["Smtp:Timeout"] = "00:00:10",
            ["Pipeline:StuckSendingAfter"] = "00:00:15",
            ["Pipeline:QuietHours"] = "off",
            ["Outbox:Directory"] = Path.Combine(scriptRoot, "outbox"),
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var (key, value) in FictionalNumbers.Settings)
        {
            settings[key] = value;
        }

        if (probe is not null)
        {
            settings["Api:AdminKeyHash"] = probe.AdminKeyHash;
        }

        File.WriteAllText(
            Path.Combine(scriptRoot, "local.settings.json"),
            JsonSerializer.Serialize(new
            {
                IsEncrypted = false,
                Values = settings.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value, StringComparer.OrdinalIgnoreCase),
            }));
    }

    private void Say(string line)
    {
        var stamped = $"[{DateTime.UtcNow:HH:mm:ss}] {line}";
        progress.WriteLine(stamped);
        _harnessLog?.Invoke(stamped);
    }
}

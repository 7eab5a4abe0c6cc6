using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Storage;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.Testing.Faults;

/// <param name="People">People in the fault seed (<see cref="FaultSeed"/>); the fan-out alert reaches about 1.5 delivery rows per person.</param>
/// <param name="ImportLines">Lines of the CSV import job started next to the fan-out (header not counted).</param>
/// <param name="ProbeEvery">Pause between two rounds of probes.</param>
/// <param name="TimeLimit">The run stops probing at this limit even if the import or the sends are not done.</param>
public sealed record ResponsivenessRunOptions(int People, int ImportLines, TimeSpan ProbeEvery, TimeSpan TimeLimit)
{
    /// <summary>The issue's load: about 100,000 delivery rows in one fan-out and a 50,000-line import job.</summary>
    public static ResponsivenessRunOptions Full() => new(67_000, 50_000, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(20));

    /// <summary>A tenth of it, a couple of minutes: the same paths under a smaller load.</summary>
    public static ResponsivenessRunOptions Short() => new(6_700, 5_000, TimeSpan.FromSeconds(3), TimeSpan.FromMinutes(4));

    public string Configuration { get; init; } = "Release";

    public string? OutputDirectory { get; init; }

    /// <summary>
    /// Which Azurite the run uses (default <see cref="ResponsivenessStorage.Memory"/>): the measurement is about the app,
    /// and the disk-backed emulator stops answering while it serialises its whole database (docs/reliability.md).
    /// </summary>
    public ResponsivenessStorage Storage { get; init; } = ResponsivenessStorage.Memory;

    /// <summary>Table, Queue and Blob in separate Azurite processes (default), or all in one (<see cref="HarnessAzuriteOptions.SeparateServices"/>).</summary>
    public bool SeparateAzuriteServices { get; init; } = true;

    /// <summary>Azurite finds one entity by its narrower index (default) or as shipped (<see cref="HarnessAzuriteOptions.IndexedPointLookups"/>).</summary>
    public bool IndexedPointLookups { get; init; } = true;
}

/// <summary>
/// The Azurite a responsiveness run uses. <see cref="Memory"/> (<c>--inMemoryPersistence</c>) never saves;
/// <see cref="Disk"/> (<c>--location</c>, as the fault harness needs for its restart) lets Azurite 3.35.0's LokiJS stores
/// autosave every 5 s when anything changed, each save a synchronous <c>JSON.stringify</c> of the whole store on
/// Azurite's one Node thread, during which no request is answered.
/// </summary>
public enum ResponsivenessStorage
{
    Memory,
    Disk,
}

/// <summary>
/// Issue 15 item 4, one command: the REAL app under the local host (an OS process, as deployed) on Azurite (in memory by default, see <see cref="ResponsivenessStorage"/>)
/// with the loopback fake Twilio and the SMTP sink; seeds the fault seed's people, then starts at the same time a CSV
/// import job (into a branch outside the alert's audience) and the fan-out of one alert to all of the seed's first
/// audience, and while they work times <see cref="ResponsivenessProbe"/>'s requests (signed status callback, signed
/// inbound SMS, delivery report, preview) and ScheduleTick's lag. No faults: only load.
/// </summary>
public sealed class ResponsivenessRunner(ResponsivenessRunOptions options, TextWriter progress)
{
    private readonly Stopwatch _clock = new();

    /// <summary>The figures per request kind; <see cref="ResponsivenessProbe.Missed"/> tells which missed their target.</summary>
    public async Task<IReadOnlyList<ProbeFigures>> RunAsync(CancellationToken cancellationToken = default)
    {
        var output = options.OutputDirectory ?? Path.Combine(Path.GetTempPath(), "alertpipeline-responsiveness", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(output);
        foreach (var path in new[] { Path.Combine(FaultRunner.FunctionsBuild(options.Configuration), "AlertPipeline.Functions.dll"), FaultRunner.LocalHostDll(options.Configuration) })
        {
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"{path} is not built; build src/AlertPipeline.Functions and src/AlertPipeline.LocalHost -c {options.Configuration}.");
            }
        }

        FictionalNumbers.Accept();
        var azuriteOptions = new HarnessAzuriteOptions(options.Storage == ResponsivenessStorage.Disk ? Path.Combine(output, "azurite") : null)
        {
            SeparateServices = options.SeparateAzuriteServices,
            IndexedPointLookups = options.IndexedPointLookups,
        };
        Say($"responsiveness run: {options.People:N0} people, a {options.ImportLines:N0}-line import job, Azurite: {azuriteOptions.Describe()}; load {FaultRunner.Load()}; output {output}");
        using var azurite = await HarnessAzurite.StartAsync(azuriteOptions).ConfigureAwait(false);
        await using var twilio = await FakeTwilioServer.StartAsync().ConfigureAwait(false);
        await using var smtp = await SmtpSink.StartAsync().ConfigureAwait(false);
        var scriptRoot = Path.Combine(output, "app");
        var httpPort = FreePort.Next();
        var seed = FaultSeed.Create(options.People);
        var alert = seed.Alerts[0];
        var parsed = AlertEventParser.Parse(alert.Body);
        if (!parsed.IsSuccess)
        {
            throw new InvalidOperationException($"The run's event {alert.EventId} does not parse: {parsed}");
        }

        var alertId = AlertId.For(parsed.Value);
        using var probe = new ResponsivenessProbe(twilio, httpPort, FaultSeed.Unions[0], alert.CampaignId, alert.Body, alertId.Value);
        FaultRunner.LayOutApp(options.Configuration, scriptRoot, azurite.ConnectionString, twilio, smtp.Port, httpPort, probe);

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString })
            .Build();
        await using (var services = new ServiceCollection().AddLogging().AddPipelineStorage(configuration).BuildServiceProvider())
        {
            var seedWatch = Stopwatch.StartNew();
            var seedReport = await services.GetRequiredService<SeedLoader>().LoadAsync(seed.Json, cancellationToken).ConfigureAwait(false);
            if (seedReport.Errors.Any())
            {
                throw new InvalidOperationException("The run's seed did not load: " + string.Join("; ", seedReport.Errors.Take(5)));
            }

            Say($"seeded {seed.People.Count:N0} people in {seed.Listings:N0} listings in {seedWatch.Elapsed.TotalSeconds:0.0} s");
        }

        using var host = LocalHostProcess.Start(FaultRunner.LocalHostDll(options.Configuration), scriptRoot, "30s", httpPort, Path.Combine(output, "localhost-01.log"));
        try
        {
            await host.WaitForWorkerAsync(0, TimeSpan.FromSeconds(120)).ConfigureAwait(false);
            await probe.CreateKeyAsync(cancellationToken).ConfigureAwait(false);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/api/"), Timeout = TimeSpan.FromMinutes(2) };
            var importUnion = FaultSeed.Unions[2];
            var adminKey = await CreateUnionAdminKeyAsync(http, probe.AdminSecret, importUnion, cancellationToken).ConfigureAwait(false);
            http.DefaultRequestHeaders.Add("X-Api-Key", adminKey);

            _clock.Start();
            var jobPath = await StartImportAsync(http, importUnion, cancellationToken).ConfigureAwait(false);
            var events = new QueueClient(azurite.ConnectionString, Core.Pipeline.QueueNames.AlertEvents, StorageServiceCollectionExtensions.QueueOptions());
            await events.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await events.SendMessageAsync(alert.Body, cancellationToken).ConfigureAwait(false);
            var expected = seed.Expected(alert);
            var sms = expected.Count(e => e is { Channel: "sms", Sendable: true });
            Say($"import job {jobPath} started; alert {alertId} enqueued: {expected.Count:N0} delivery rows expected, {sms:N0} SMS to send");

            using var stopProbe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var probeTask = probe.RunAsync(options.ProbeEvery, stopProbe.Token);
            string importState = "?";
            try
            {
                while (_clock.Elapsed < options.TimeLimit)
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
                    importState = await ImportStateAsync(http, jobPath, cancellationToken).ConfigureAwait(false);
                    var sent = twilio.SentMessages.Count;
                    Say($"{_clock.Elapsed.TotalSeconds:0} s: import {importState}; SMS sent {sent:N0}/{sms:N0}; load {FaultRunner.Load()}");
                    if ((importState.StartsWith("succeeded", StringComparison.Ordinal) || importState.StartsWith("failed", StringComparison.Ordinal)) && sent >= sms)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Say("stopped early");
            }

            await stopProbe.CancelAsync().ConfigureAwait(false);
            await probeTask.ConfigureAwait(false);
            Say($"done at {_clock.Elapsed.TotalSeconds:0} s (limit {options.TimeLimit.TotalSeconds:0} s): import {importState}, SMS sent {twilio.SentMessages.Count:N0}/{sms:N0}; load {FaultRunner.Load()}");
            var notStored = await StatusesNotStoredAsync(configuration, probe.AcceptedStatusReferences, cancellationToken).ConfigureAwait(false);
            await host.StopAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
            var figures = probe.Figures(output, notStored);
            var report = new StringBuilder();
            foreach (var figure in figures)
            {
                var target = ResponsivenessProbe.TargetOf(figure.Kind);
                report.AppendLine(CultureInfo.InvariantCulture, $"{figure} (target < {target.TotalSeconds:0} s: {(ResponsivenessProbe.Meets(figure) ? "met" : "MISSED")})");
            }

            Say("figures:\n" + report);
            await File.WriteAllTextAsync(Path.Combine(output, "report.txt"), report.ToString(), CancellationToken.None).ConfigureAwait(false);
            return figures;
        }
        finally
        {
            host.Dispose();
            await azurite.StopAsync().ConfigureAwait(false);
            FaultRunner.TryDelete(Path.Combine(output, "azurite"));
            FaultRunner.TryDelete(scriptRoot);
        }
    }

    /// <summary>
    /// The answered status callbacks whose row is still not Delivered after <see cref="StoredWithin"/> (the webhook answers
    /// once the callback is queued; <c>ApplySmsStatus</c> stores it): each counts as a failed status callback.
    /// </summary>
    private async Task<int> StatusesNotStoredAsync(IConfiguration configuration, IReadOnlyList<string> references, CancellationToken cancellationToken)
    {
        await using var services = new ServiceCollection().AddLogging().AddPipelineStorage(configuration).BuildServiceProvider();
        var deliveries = services.GetRequiredService<IDeliveryStore>();
        var keys = references.Select(DeliveryKey.Parse).ToList();
        var watch = Stopwatch.StartNew();
        var pending = keys;
        var passes = 0;
        while (true)
        {
            var still = new List<DeliveryKey>();
            foreach (var key in pending)
            {
                if ((await deliveries.GetAsync(key, cancellationToken).ConfigureAwait(false))?.Record.Status != DeliveryStatus.Delivered)
                {
                    still.Add(key);
                }
            }

            pending = still;
            passes++;
            if (pending.Count == 0 || watch.Elapsed > StoredWithin)
            {
                // A pass reads every pending row once; on a busy Azurite one pass alone can take longer than the bound.
                Say($"status callbacks answered 2xx: {keys.Count:N0}; rows Delivered: {keys.Count - pending.Count:N0} after {passes} pass(es) over the rows, the last ending {watch.Elapsed.TotalSeconds:0.0} s after the probe's end"
                    + (pending.Count > 0 ? $"; NOT stored after {StoredWithin.TotalSeconds:0} s: {pending.Count:N0}" : string.Empty));
                return pending.Count;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How long after the probe's end every answered status callback must show on its row.</summary>
    public static readonly TimeSpan StoredWithin = TimeSpan.FromSeconds(60);

    private static async Task<string> CreateUnionAdminKeyAsync(HttpClient http, string adminSecret, string union, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"unions/{union}/keys") { Content = JsonContent.Create(new { role = "union-admin" }) };
        request.Headers.TryAddWithoutValidation("Authorization", "ApiKey " + adminSecret);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Creating the import's union-admin key answered {(int)response.StatusCode}.");
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("key").GetString()!;
    }

    /// <summary>Posts the import file into the union's branch b3 (outside the alert's audience); answers the job's path.</summary>
    private async Task<string> StartImportAsync(HttpClient http, string union, CancellationToken cancellationToken)
    {
        var csv = new StringBuilder("contactId,name,phone,email,language,timeZone,smsConsent,emailConsent\n");
        for (var i = 0; i < options.ImportLines; i++)
        {
            // The fictional block's numbers from +447700900000 up; an address may also be a seeded person's (another listing).
            csv.Append(CultureInfo.InvariantCulture, $"imp{i:D6},Imported {i},+4477009{i % 100_000:D5},imp{i}@import.example.org,en,Europe/London,true,true\n");
        }

        using var content = new StringContent(csv.ToString(), Encoding.UTF8, "text/csv");
        using var response = await http.PostAsync($"unions/{union}/branches/b3/contacts:import", content, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted || response.Headers.Location is not { } location)
        {
            throw new InvalidOperationException($"The import answered {(int)response.StatusCode}, not 202 with a job: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
        }

        return location.OriginalString.StartsWith("/api/", StringComparison.Ordinal) ? location.OriginalString["/api/".Length..] : location.OriginalString;
    }

    private static async Task<string> ImportStateAsync(HttpClient http, string jobPath, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(jobPath + "?pageSize=1", cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return $"unknown ({(int)response.StatusCode})";
            }

            var job = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).RootElement;
            return $"{job.GetProperty("state").GetString()} {job.GetProperty("linesDone").GetInt32():N0}/{job.GetProperty("linesTotal").GetInt32():N0}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return "unknown (no answer)";
        }
    }

    private void Say(string line) => progress.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");
}

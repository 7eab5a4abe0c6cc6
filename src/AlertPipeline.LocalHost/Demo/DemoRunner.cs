using AlertPipeline.Infrastructure.Configuration;
using System.Diagnostics;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Infrastructure.Storage;
using Azure.Storage.Queues;
using AlertPipeline.LocalHost.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using NodaTime;

namespace AlertPipeline.LocalHost.Demo;

/// <summary>
/// The demo, end to end on one machine: seed the campaign (<see cref="SeedLoader"/>), start the function app under the
/// local host, enqueue the alert events, wait (bounded) until fan-out has finished and every delivery row is settled,
/// stop, and report from the Deliveries table (<see cref="IDeliveryStore"/>). Returns the process exit code.
/// </summary>
public sealed class DemoRunner(DemoOptions options, TextWriter output)
{
    /// <summary>The queues that hold work in flight; the demo waits until they are empty.</summary>
    public static readonly IReadOnlyList<string> WorkQueues =
        [QueueNames.AlertEvents, QueueNames.FanOutChunks, QueueNames.SmsDispatch, QueueNames.EmailDispatch, QueueNames.SmsStatus];

    public static readonly IReadOnlyList<string> PoisonQueues = [.. PipelineQueues.All.Where(QueueNames.IsPoison)];

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var scriptRoot = Path.GetFullPath(options.ScriptRoot);
        var settings = LoadSettings(scriptRoot);
        var storage = settings.GetConnectionString("AzureWebJobsStorage");
        if (storage is null)
        {
            await output.WriteLineAsync("error: AzureWebJobsStorage is not set; run ./demo.sh (it starts Azurite and sets it).").ConfigureAwait(false);
            return 2;
        }

        var channels = DemoChannels.From(settings, scriptRoot);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Values.Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":", StringComparison.Ordinal), kv.Value)))
            .AddInMemoryCollection(channels.SettingOverrides)
            .Build();
        await using var services = new ServiceCollection().AddLogging().AddPhoneNumbers(configuration).AddPipelineStorage(configuration).BuildServiceProvider();
        var watch = Stopwatch.StartNew();

        // 1. Seed.
        var seedFile = options.SeedFile ?? Path.Combine(scriptRoot, "demo", "seed.json");
        var seed = await services.GetRequiredService<SeedLoader>().LoadFileAsync(seedFile, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"Seeded {Path.GetRelativePath(scriptRoot, seedFile)}: {seed}").ConfigureAwait(false);
        foreach (var issue in seed.Issues)
        {
            await output.WriteLineAsync($"  {issue}").ConfigureAwait(false);
        }

        // 2. The events, moved to their next occurrence.
        var now = SystemClock.Instance.GetCurrentInstant();
        var files = options.EventFiles.Count > 0 ? options.EventFiles : [.. DemoOptions.DefaultEvents.Select(f => Path.Combine(scriptRoot, f))];
        var events = files.Select(f => DemoEvents.Load(f, now)).ToList();
        channels.ClearOutbox();
        await output.WriteLineAsync(channels.Describe()).ConfigureAwait(false);

        // 3. The function app under the local host.
        var logFile = options.LogFile ?? Path.Combine(scriptRoot, "artifacts", "demo", "localhost.log");
        using var fileLog = new FileLoggerProvider(logFile);
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Information)
            .AddProvider(fileLog)
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.ColorBehavior = LoggerColorBehavior.Disabled;
            })
            .AddFilter<ConsoleLoggerProvider>(level => level >= LogLevel.Warning));
        var hostOptions = new FunctionsLocalHostOptions
        {
            ScriptRoot = options.ResolveAppFolder(scriptRoot),
            SettingsFile = SettingsFile(scriptRoot),
            HttpPort = options.HttpPort,
            LoggerFactory = loggerFactory,
            ShutdownTimeout = TimeSpan.FromSeconds(15),
        };
        foreach (var (key, value) in channels.SettingOverrides)
        {
            hostOptions.Settings[key] = value;
        }

        var queues = new QueueServiceClient(storage, StorageServiceCollectionExtensions.QueueOptions());
        var pipelineQueues = new PipelineQueues(queues);
        await pipelineQueues.CreateAllAsync(cancellationToken).ConfigureAwait(false);

        var deliveries = services.GetRequiredService<IDeliveryStore>();
        var alerts = services.GetRequiredService<IAlertStore>();
        bool settled;
        await using (var host = new FunctionsLocalHost(hostOptions))
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Local host started ({Path.GetRelativePath(scriptRoot, logFile)}); enqueuing {events.Count} alert events on {QueueNames.AlertEvents}:").ConfigureAwait(false);
            foreach (var demoEvent in events)
            {
                await pipelineQueues.PublishAsync(demoEvent.Event, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync(
                    $"  {demoEvent.Event.EventId} ({demoEvent.Event.Kind.ToWireName()}, {demoEvent.Event.Reminder} reminder) at {demoEvent.Event.Occurrence} → alert {demoEvent.AlertId}").ConfigureAwait(false);
            }

            // 4. Wait until fan-out is over and every row is settled.
            settled = await WaitUntilSettledAsync(queues, alerts, deliveries, events, cancellationToken).ConfigureAwait(false);
            await host.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        // 5. Report.
        var reports = new List<(DemoEvent Event, AlertRecord? Alert, DeliveryReport Report)>();
        foreach (var demoEvent in events)
        {
            reports.Add((demoEvent,
                await alerts.GetAsync(demoEvent.AlertId, cancellationToken).ConfigureAwait(false),
                await DeliveryReport.ReadAsync(deliveries, demoEvent.AlertId, cancellationToken).ConfigureAwait(false)));
        }

        var poison = new List<(string Queue, int Count)>();
        foreach (var name in PoisonQueues)
        {
            poison.Add((name, (await queues.GetQueueClient(name).GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value.ApproximateMessagesCount));
        }

        DemoReportWriter.Write(output, reports, channels, poison, watch.Elapsed, settled);
        return settled ? 0 : 1;
    }

    private AppSettings LoadSettings(string scriptRoot) => AppSettings.Load(SettingsFile(scriptRoot), null, Environment.GetEnvironmentVariables());

    /// <summary>--settings, else the repository's local.settings.json when present (the app's build folder has none).</summary>
    private string? SettingsFile(string scriptRoot)
    {
        if (options.SettingsFile is { } file)
        {
            return file;
        }

        var candidate = Path.Combine(scriptRoot, AppSettings.LocalSettingsFileName);
        return File.Exists(candidate) ? candidate : null;
    }

    /// <summary>
    /// Messages that still have work to do. A dispatch queue counts only its visible messages: a batch deferred by quiet
    /// hours is held back (invisible) until the morning on purpose, and its rows are reported as deferred; a batch being
    /// sent is invisible too, but its rows are still Pending or Sending, so they count as unsettled. The other queues count
    /// every message (an invisible fan-out chunk is being worked on).
    /// </summary>
    private static async Task<int> WaitingMessagesAsync(QueueClient queue, CancellationToken cancellationToken)
    {
        if (queue.Name is QueueNames.SmsDispatch or QueueNames.EmailDispatch)
        {
            return (await queue.PeekMessagesAsync(1, cancellationToken).ConfigureAwait(false)).Value.Length;
        }

        return (await queue.GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value.ApproximateMessagesCount;
    }

    private async Task<bool> WaitUntilSettledAsync(
        QueueServiceClient queues, IAlertStore alerts, IDeliveryStore deliveries, IReadOnlyList<DemoEvent> events, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var lastProgress = string.Empty;
        var lastPrinted = TimeSpan.FromSeconds(-10);
        while (true)
        {
            var inQueues = 0;
            foreach (var name in WorkQueues)
            {
                inQueues += await WaitingMessagesAsync(queues.GetQueueClient(name), cancellationToken).ConfigureAwait(false);
            }

            int rows = 0, unsettled = 0, stored = 0;
            foreach (var demoEvent in events)
            {
                if (await alerts.GetAsync(demoEvent.AlertId, cancellationToken).ConfigureAwait(false) is not null)
                {
                    stored++;
                }

                var report = await DeliveryReport.ReadAsync(deliveries, demoEvent.AlertId, cancellationToken).ConfigureAwait(false);
                rows += report.Rows;
                unsettled += report.Unsettled;
            }

            if (stored == events.Count && inQueues == 0 && unsettled == 0)
            {
                await output.WriteLineAsync($"All {rows} deliveries settled after {watch.Elapsed.TotalSeconds:0.0} s.").ConfigureAwait(false);
                return true;
            }

            var progress = $"  … {stored}/{events.Count} alerts stored, {rows} delivery rows, {unsettled} not settled, {inQueues} messages queued";
            if (progress != lastProgress && watch.Elapsed - lastPrinted >= TimeSpan.FromSeconds(2))
            {
                await output.WriteLineAsync(progress).ConfigureAwait(false);
                (lastProgress, lastPrinted) = (progress, watch.Elapsed);
            }

            if (watch.Elapsed > options.Timeout)
            {
                await output.WriteLineAsync($"Timed out after {options.Timeout.TotalSeconds:0} s:{progress.TrimStart(' ', '…')} (see the local host's log).").ConfigureAwait(false);
                return false;
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}

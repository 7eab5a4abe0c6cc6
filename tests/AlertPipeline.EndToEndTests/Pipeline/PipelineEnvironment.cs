using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;
using AlertPipeline.EndToEndTests.LocalHost;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Storage;
using Azure.Storage.Queues;
using AlertPipeline.LocalHost;
using AlertPipeline.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>
/// One end-to-end world for one test: its own Azurite (the app's queue names are fixed, so tests cannot share one), a
/// FakeTwilioServer the app's Twilio settings point at (status callbacks come back through the local host's HTTP port,
/// signed), optionally an SMTP sink, and a script root holding the repository's real function.json files and host.json
/// (polling shortened for speed). The REAL Functions app (src/AlertPipeline.Functions build output) runs under the local
/// host, in this process (<see cref="StartHostAsync"/>) or as a separate OS process (<see cref="StartHostProcess"/>).
/// The test side reads and writes the same tables through the app's repositories.
/// </summary>
public sealed partial class PipelineEnvironment : IAsyncDisposable
{
    public const string MessagingServiceSid = "MG0123456789abcdef0123456789abcdef";

    private readonly ServiceProvider _services;
    private readonly ConcurrentBag<int> _handlerProcesses = [];
    private readonly List<HostProcess> _hostProcesses = [];
    private FunctionsLocalHost? _host;

    private PipelineEnvironment(AzuriteFixture azurite, FakeTwilioServer twilio, SmtpSink? smtp, PipelineLogs logs, string scriptRoot, int httpPort)
    {
        Azurite = azurite;
        Twilio = twilio;
        Smtp = smtp;
        Logs = logs;
        ScriptRoot = scriptRoot;
        HttpPort = httpPort;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString })
            .Build();
        _services = new ServiceCollection().AddLogging().AddPipelineStorage(configuration).BuildServiceProvider();
        Settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["ScheduleTick:Schedule"] = "0 */1 * * * *",
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["ServiceBusConnection"] = azurite.ConnectionString,
            ["AzureWebJobs.ScheduleTick.Disabled"] = "true",
            ["Twilio:AccountSid"] = twilio.AccountSid,
            ["Twilio:AuthToken"] = twilio.AuthToken,
            ["Twilio:MessagingServiceSid"] = MessagingServiceSid,
            ["Twilio:BaseUri"] = twilio.BaseUri.AbsoluteUri,
            ["Twilio:StatusCallbackBaseUrl"] = $"http://127.0.0.1:{httpPort}/api",
            ["Twilio:WebhookBaseUrl"] = $"http://127.0.0.1:{httpPort}",
            ["Twilio:SegmentsPerSecond"] = "0",
            ["Twilio:NetworkTimeout"] = "00:00:05",
            ["Pipeline:StuckSendingAfter"] = "00:00:10",
            ["Pipeline:BusyPollInterval"] = "00:00:00.500",
            ["Pipeline:QuietHours"] = "off", // the real clock decides who is at night; quiet-hours tests turn it on
            ["Outbox:Directory"] = Path.Combine(scriptRoot, "outbox"),
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var (key, value) in FictionalNumbers.Settings)
        {
            Settings[key] = value;
        }
        if (smtp is not null)
        {
            foreach (var (key, value) in smtp.ConfigurationValues())
            {
                Settings[key] = value;
            }
        }
    }

    /// <summary>The build configuration of these tests; the Functions app and the local host were built with it.</summary>
    public static string Configuration => LocalHostBuild.Configuration;

    /// <summary>The Functions app as built: worker.config.json, functions.metadata, host.json and the worker's assemblies.</summary>
    public static string FunctionsBuild => RepositoryPaths.Combine("src", "AlertPipeline.Functions", "bin", Configuration, "net10.0");

    public static string FunctionsDll => Path.Combine(FunctionsBuild, "AlertPipeline.Functions.dll");

    public AzuriteFixture Azurite { get; }

    public FakeTwilioServer Twilio { get; }

    public SmtpSink? Smtp { get; }

    public PipelineLogs Logs { get; }

    public string ScriptRoot { get; }

    public int HttpPort { get; }

    /// <summary>The app settings the handler runs with (change them before starting a host).</summary>
    public Dictionary<string, string?> Settings { get; }

    public IDeliveryStore Deliveries => _services.GetRequiredService<IDeliveryStore>();

    public IOptOutStore OptOuts => _services.GetRequiredService<IOptOutStore>();

    public IAlertStore Alerts => _services.GetRequiredService<IAlertStore>();

    public RejectedEventRepository Rejections => _services.GetRequiredService<RejectedEventRepository>();

    public RecipientHasher Hasher => _services.GetRequiredService<RecipientHasher>();

    public static async Task<PipelineEnvironment> CreateAsync(ITestOutputHelper? output, bool withSmtp = false)
    {
        if (!File.Exists(FunctionsDll))
        {
            throw new InvalidOperationException($"The Functions app is not built at {FunctionsDll}; build src/AlertPipeline.Functions -c {Configuration}.");
        }

        var azurite = await AzuriteFixture.StartAsync();
        var twilio = await FakeTwilioServer.StartAsync();
        var smtp = withSmtp ? await SmtpSink.StartAsync() : null;
        var scriptRoot = Path.Combine(Path.GetTempPath(), "alertpipeline-e2e", Guid.NewGuid().ToString("N"));
        LayOutApp(scriptRoot);
        return new PipelineEnvironment(azurite, twilio, smtp, new PipelineLogs(output), scriptRoot, FreePort.Next());
    }

    /// <summary>Starts the local host in this process (logs into <see cref="Logs"/>) on the app copy in <see cref="ScriptRoot"/>.</summary>
    public async Task StartHostAsync()
    {
        _host.Should().BeNull("one in-process host at a time");
        var options = new FunctionsLocalHostOptions
        {
            ScriptRoot = ScriptRoot,
            HttpPort = HttpPort,
            LoggerFactory = Logs.Factory,
            IncludeEnvironmentVariables = false,
            ShutdownTimeout = TimeSpan.FromSeconds(15),
        };
        foreach (var (key, value) in HandlerSettings())
        {
            options.Settings[key] = value;
        }

        _host = new FunctionsLocalHost(options);
        await _host.StartAsync();
    }

    /// <summary>Starts the worker through <paramref name="executable"/> (worker.config.json's defaultExecutablePath in the app copy), which gets the usual arguments.</summary>
    public void UseWorkerExecutable(string executable)
    {
        var path = Path.Combine(ScriptRoot, "worker.config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        config["description"]!["defaultExecutablePath"] = executable;
        File.WriteAllText(path, config.ToJsonString());
    }

    public async Task StopHostAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
            _host = null;
        }
    }

    /// <summary>
    /// Starts <c>AlertPipeline.LocalHost run</c> as a separate OS process on this app (settings in local.settings.json),
    /// with a short lease so that messages of a killed host come back quickly.
    /// </summary>
    public HostProcess StartHostProcess(string lease = "3s")
    {
        File.WriteAllText(
            Path.Combine(ScriptRoot, "local.settings.json"),
            JsonSerializer.Serialize(new { IsEncrypted = false, Values = HandlerSettings() }));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     LocalHostBuild.LocalHostDll, "run", "--script-root", ScriptRoot,
                     "--lease", lease, "--port", HttpPort.ToString(CultureInfo.InvariantCulture),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var host = new HostProcess(process);
        process.OutputDataReceived += (_, e) => OnHostOutput(host, e.Data);
        process.ErrorDataReceived += (_, e) => OnHostOutput(host, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _hostProcesses.Add(host);
        return host;
    }

    /// <summary>
    /// <see cref="Settings"/> as the Functions host hands them to a handler: environment variables with <c>__</c> for
    /// <c>:</c> (a shell between the host and the handler drops names it cannot export).
    /// </summary>
    public Dictionary<string, string?> HandlerSettings() =>
        Settings.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value, StringComparer.OrdinalIgnoreCase);

    public async Task<SeedReport> SeedAsync(string json)
    {
        var report = await _services.GetRequiredService<SeedLoader>().LoadAsync(json);
        report.Errors.Should().BeEmpty("the test seed must load cleanly");
        return report;
    }

    /// <summary>A base64 client of <paramref name="name"/>, as producers and the queue triggers see it.</summary>
    public QueueClient Queue(string name) => new(Azurite.ConnectionString, name, StorageServiceCollectionExtensions.QueueOptions());

    public async Task EnqueueAsync(string body)
    {
        var queue = Queue(Core.Pipeline.QueueNames.AlertEvents);
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync(body);
    }

    public async Task<IReadOnlyList<DeliveryRecord>> RowsAsync(AlertId alertId)
    {
        var rows = new List<DeliveryRecord>();
        string? token = null;
        do
        {
            var page = await Deliveries.GetPageAsync(alertId, 1000, token);
            rows.AddRange(page.Rows);
            token = page.ContinuationToken;
        }
        while (token is not null);

        return rows;
    }

    /// <summary>Polls (bounded) until the alert has <paramref name="expected"/> rows and none is Pending or Sending.</summary>
    public Task<IReadOnlyList<DeliveryRecord>> WaitForSettledRowsAsync(AlertId alertId, int expected, TimeSpan? timeout = null) =>
        Poll.ForAsync(
            () => RowsAsync(alertId),
            rows => rows.Count == expected && rows.All(r => r.Status is not (DeliveryStatus.Pending or DeliveryStatus.Sending)),
            $"{expected} settled delivery rows of alert {alertId}",
            timeout ?? TimeSpan.FromSeconds(45));

    public RecipientHash HashPhone(string phone) => Hasher.Hash(PhoneNumber.Parse(phone));

    /// <summary>Where the local host serves an HTTP function (<c>twilio/inbound</c>, …).</summary>
    public Uri Webhook(string route) => new($"http://127.0.0.1:{HttpPort}/api/{route}");

    /// <summary>The SMS Twilio accepted for one alert (their status callback URL carries the alert's delivery keys).</summary>
    public IReadOnlyList<FakeTwilioMessage> SmsOf(AlertId alertId) =>
        Twilio.SentMessages.Where(m => m.StatusCallback?.Contains("ref=" + alertId.Value + "-", StringComparison.Ordinal) == true).ToList();

    public async ValueTask DisposeAsync()
    {
        await StopHostAsync();
        foreach (var host in _hostProcesses)
        {
            host.Kill();
            host.Dispose();
        }

        foreach (var pid in _handlerProcesses)
        {
            KillTree(pid);
        }

        await Twilio.DisposeAsync();
        if (Smtp is not null)
        {
            await Smtp.DisposeAsync();
        }

        Azurite.Stop();
        await _services.DisposeAsync();
        Logs.Dispose();
        try
        {
            Directory.Delete(ScriptRoot, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    internal static void KillTree(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    /// <summary>The repository's host.json (polling shortened) and every function folder, as the app is deployed.</summary>
    /// <summary>
    /// A copy of the built app (as a deployment is one), unmodified but for host.json's polling: 100 ms at most between
    /// polls and no visibility delay on failure, so that retries and poisoning take seconds.
    /// </summary>
    private static void LayOutApp(string scriptRoot)
    {
        foreach (var file in Directory.EnumerateFiles(FunctionsBuild, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(scriptRoot, Path.GetRelativePath(FunctionsBuild, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var host = JsonNode.Parse(File.ReadAllText(RepositoryPaths.Combine("host.json")))!.AsObject();
        var queues = host["extensions"]!["queues"]!.AsObject();
        queues["maxPollingInterval"] = "00:00:00.100";
        queues["visibilityTimeout"] = "00:00:00";
        File.WriteAllText(Path.Combine(scriptRoot, "host.json"), host.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private void OnHostOutput(HostProcess host, string? line)
    {
        if (line is null)
        {
            return;
        }

        Logs.AddRaw("localhost-process", line);
        if (WorkerStartedLine().Match(line) is { Success: true } match)
        {
            var pid = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            _handlerProcesses.Add(pid);
            host.HandlerProcessIds.Add(pid);
        }
    }

    [GeneratedRegex(@"Worker started: process (\d+) ")]
    private static partial Regex WorkerStartedLine();

    /// <summary>A local host running as its own OS process, and the handler processes it started.</summary>
    public sealed class HostProcess(Process process) : IDisposable
    {
        public Process Process { get; } = process;

        public ConcurrentBag<int> HandlerProcessIds { get; } = [];

        /// <summary>SIGKILL, as a crashed machine: the host first, then its handler (which would otherwise live on as an orphan).</summary>
        public void Kill()
        {
            KillHostOnly();
            foreach (var pid in HandlerProcessIds)
            {
                KillTree(pid);
            }
        }

        /// <summary>SIGKILL of the local host alone; its handler is left to notice by itself.</summary>
        public void KillHostOnly()
        {
            try
            {
                if (!Process.HasExited)
                {
                    Process.Kill();
                    Process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }

        public void Dispose() => Process.Dispose();
    }
}

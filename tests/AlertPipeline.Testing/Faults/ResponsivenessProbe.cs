using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AlertPipeline.Testing.Faults;

/// <summary>Latency of one kind of interactive request while the fault run works: count, median, 95th percentile, max, failures.</summary>
/// <param name="Partial">Answers (reports, previews) that said <c>"partial": true</c>: fast, but lower bounds.</param>
/// <param name="FailedAs">What the failures were, e.g. <c>503 ×2</c> or <c>no answer ×1</c> (empty when none failed).</param>
public sealed record ProbeFigures(string Kind, int Count, double MedianMs, double P95Ms, double MaxMs, int Failures, int Partial = 0, string FailedAs = "")
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Kind}: {Count} calls, median {MedianMs / 1000:0.00} s, p95 {P95Ms / 1000:0.00} s, max {MaxMs / 1000:0.00} s, {Failures} failed")
        + (FailedAs.Length > 0 ? $" ({FailedAs})" : string.Empty)
        + (Partial > 0 ? string.Create(CultureInfo.InvariantCulture, $", {Partial} partial") : string.Empty);

    /// <summary>"503 ×2, no answer ×1": the failed calls' answers (status code, or none), most frequent first.</summary>
    public static string Describe(IEnumerable<string> failedAnswers) =>
        string.Join(", ", (failedAnswers ?? []).GroupBy(a => a).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} ×{g.Count()}")));
}

/// <summary>
/// Issue 15 item 4, the measurement half: while the pipeline works, every few seconds (each kind on its own loop) a signed Twilio status callback
/// (for a message already sent), a signed inbound SMS (from a number outside the seed, a plain text), an organiser's
/// delivery report of the first alert and a preview of it go through the local host's HTTP port, each timed. Timers:
/// ScheduleTick runs every 15 s and its lag is read from the local hosts' "timer fired for" lines.
/// </summary>
public sealed partial class ResponsivenessProbe(FakeTwilioServer twilio, int httpPort, string union, string campaign, string eventBody, string alertId) : IDisposable
{
    /// <summary>The bootstrap admin secret the probe's app settings carry as <c>Api:AdminKeyHash</c> (a fresh one per run).</summary>
    public string AdminSecret { get; } = "faults-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public string AdminKeyHash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(AdminSecret)));

    public const string TimerSchedule = "*/15 * * * * *";

    public const string TimerLag = "timer lag (ScheduleTick fired after its time)";

    /// <summary>Issue 15's target for one kind of request: webhooks 2 s, reports and previews 5 s, timers 10 s.</summary>
    public static TimeSpan TargetOf(string kind) => kind switch
    {
        "status callback" or "inbound SMS" => TimeSpan.FromSeconds(2),
        "delivery report" or "preview" => TimeSpan.FromSeconds(5),
        TimerLag => TimeSpan.FromSeconds(10),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a probed kind"),
    };

    /// <summary>Met when every call answered (2xx) and the slowest was under the target: "answer in &lt; 2 s" is every answer.</summary>
    public static bool Meets(ProbeFigures figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        return figures.Count > 0 && figures.Failures == 0 && figures.MaxMs < TargetOf(figures.Kind).TotalMilliseconds;
    }

    /// <summary>The kinds that missed their target, or were never measured (all five are expected).</summary>
    public static IReadOnlyList<string> Missed(IReadOnlyList<ProbeFigures> figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        string[] kinds = ["status callback", "inbound SMS", "delivery report", "preview", TimerLag];
        return [.. kinds.Where(k => figures.FirstOrDefault(f => f.Kind == k) is not { } f || !Meets(f))];
    }

    private readonly List<(string Kind, double Ms, bool Ok, bool Partial, string Answer)> _samples = [];
    private readonly HashSet<string> _accepted = new(StringComparer.Ordinal);

    /// <summary>The delivery references whose "delivered" callback was answered 2xx: each row must end Delivered (the answer only
    /// says the callback was queued; <see cref="ResponsivenessRunner"/> checks the rows).</summary>
    public IReadOnlyList<string> AcceptedStatusReferences
    {
        get
        {
            lock (_accepted)
            {
                return [.. _accepted];
            }
        }
    }
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(120) };
    private string? _organiserKey;

    private Uri Api(string path) => new($"http://127.0.0.1:{httpPort}/api/{path}");

    public void Dispose() => _http.Dispose();

    /// <summary>Creates an organiser key for <c>union</c> with the bootstrap secret.</summary>
    public async Task CreateKeyAsync(CancellationToken cancellationToken)
    {
        // The worker is ready before the host's HTTP port listens: retry a refused connection for a minute.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await TryCreateKeyAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError && attempt < 60)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task TryCreateKeyAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Api($"unions/{union}/keys")) { Content = JsonContent.Create(new { role = "organiser" }) };
        request.Headers.TryAddWithoutValidation("Authorization", "ApiKey " + AdminSecret);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Creating the probe's organiser key answered {(int)response.StatusCode}.");
        }

        _organiserKey = JsonDocument.Parse(body).RootElement.GetProperty("key").GetString();
    }

    /// <summary>
    /// The four probes, each on its own loop (a slow preview does not delay the next callback): each kind waits
    /// <paramref name="every"/> after its previous answer, until <paramref name="stop"/>.
    /// </summary>
    public async Task RunAsync(TimeSpan every, CancellationToken stop)
    {
        var round = 0;
        await Task.WhenAll(
            LoopAsync(every, async () =>
            {
                var sent = twilio.SentMessages;
                if (sent.Count > 0 && sent[(Interlocked.Increment(ref round) * 7919) % sent.Count] is { StatusCallback: { } callback } message
                    && await TimeAsync("status callback", () => twilio.SendStatusCallbackAsync(new Uri(callback), message.Sid, "delivered", cancellationToken: CancellationToken.None)).ConfigureAwait(false)
                    && FaultRunner.ReferenceOf(callback) is { } reference)
                {
                    lock (_accepted)
                    {
                        _accepted.Add(reference);
                    }
                }
            }, stop),
            LoopAsync(every, () => TimeAsync("inbound SMS", () => twilio.SendInboundMessageAsync(Api("twilio/inbound"), "+447700900999", FakeTwilioServer.DefaultFrom, "hello", CancellationToken.None)), stop),
            LoopAsync(every, () => _organiserKey is null ? Task.CompletedTask : TimeAsync("delivery report", () => SendAsync(HttpMethod.Get, $"unions/{union}/alerts/{alertId}/report", null)), stop),
            LoopAsync(every, () => _organiserKey is null ? Task.CompletedTask : TimeAsync("preview", () => SendAsync(HttpMethod.Post, $"unions/{union}/campaigns/{campaign}/preview", eventBody)), stop)).ConfigureAwait(false);
    }

    private static async Task LoopAsync(TimeSpan every, Func<Task> probe, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await probe().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The figures per kind, with the timer lags read from the local hosts' logs in <paramref name="logDirectory"/>; a status
    /// callback answered 2xx whose row never showed it (<paramref name="statusesNotStored"/>) counts as failed.
    /// </summary>
    public IReadOnlyList<ProbeFigures> Figures(string logDirectory, int statusesNotStored = 0)
    {
        var figures = _samples.GroupBy(s => s.Kind)
            .Select(g => Summarise(g.Key, [.. g.Select(s => s.Ms)], g.Count(s => !s.Ok) + (g.Key == "status callback" ? statusesNotStored : 0)) with
            {
                Partial = g.Count(s => s.Partial),
                FailedAs = ProbeFigures.Describe(g.Where(s => !s.Ok).Select(s => s.Answer)
                    .Concat(Enumerable.Repeat("answered, status not stored", g.Key == "status callback" ? statusesNotStored : 0))),
            })
            .ToList();
        var lags = new List<double>();
        foreach (var file in Directory.EnumerateFiles(logDirectory, "localhost-*.log"))
        {
            foreach (var line in File.ReadLines(file))
            {
                if (TimerFired().Match(line) is { Success: true } match
                    && DateTimeOffset.TryParse(match.Groups[2].Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var occurrence)
                    && TimeSpan.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var at))
                {
                    var logged = new DateTimeOffset(occurrence.UtcDateTime.Date + at, TimeSpan.Zero);
                    lags.Add((logged - occurrence).TotalMilliseconds);
                }
            }
        }

        if (lags.Count > 0)
        {
            figures.Add(Summarise(TimerLag, lags, lags.Count(l => l > 10_000)));
        }

        return figures;
    }

    private static ProbeFigures Summarise(string kind, List<double> values, int failures)
    {
        values.Sort();
        double Percentile(double p) => values[Math.Min(values.Count - 1, (int)Math.Ceiling(p * values.Count) - 1)];
        return new ProbeFigures(kind, values.Count, Percentile(0.5), Percentile(0.95), values[^1], failures);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, Api(path));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        request.Headers.TryAddWithoutValidation("X-Api-Key", _organiserKey);
        return await _http.SendAsync(request).ConfigureAwait(false);
    }

    /// <summary>Times <paramref name="call"/>; true when it answered 2xx.</summary>
    private async Task<bool> TimeAsync(string kind, Func<Task<HttpResponseMessage>> call)
    {
        var watch = Stopwatch.StartNew();
        bool ok;
        var partial = false;
        string answer;
        try
        {
            using var response = await call().ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            ok = response.IsSuccessStatusCode;
            answer = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            partial = ok && body.AsSpan().IndexOf("\"partial\":true"u8) >= 0;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            ok = false;
            answer = "no answer";
        }

        var elapsed = watch.Elapsed.TotalMilliseconds;
        lock (_samples)
        {
            _samples.Add((kind, elapsed, ok, partial, answer));
        }

        return ok;
    }

    [GeneratedRegex(@"^(\d\d:\d\d:\d\d\.\d+) .*Function ScheduleTick: timer fired for (\S+)")]
    private static partial Regex TimerFired();
}

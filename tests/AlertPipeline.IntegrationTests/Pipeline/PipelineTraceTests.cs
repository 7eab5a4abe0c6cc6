using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Functions.Functions;
using AlertPipeline.Functions.Telemetry;
using AlertPipeline.Infrastructure.Channels;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Twilio;
using AlertPipeline.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AlertPipeline.IntegrationTests.Pipeline;

/// <summary>
/// One alert is one trace (docs/observability.md): the app's own telemetry registration with an in-memory exporter, the
/// queue functions called as the worker calls them (each message's text handed on as the host would), the real Twilio SDK
/// against the loopback <see cref="FakeTwilioServer"/>, and the status callback over HTTP, on Azurite with the demo seed.
/// </summary>
public sealed class PipelineTraceTests : IAsyncLifetime
{
    private const string WebhookBase = "https://alerts.example.org";
    private static readonly string EventJson = File.ReadAllText(RepositoryPaths.Combine("demo", "zhanaozen-event.json"));
    private static readonly string Seed = File.ReadAllText(RepositoryPaths.Combine("demo", "seed.json"));
    private readonly string _outbox = Path.Combine(Path.GetTempPath(), "outbox-" + Guid.NewGuid().ToString("N"));
    private readonly Exported<Activity> _spans = new();
    private readonly Exported<Metric> _metrics = new();
    private readonly RecordingDispatchQueue _dispatch = new();
    private FakeTwilioServer _twilio = null!;
    private TestAppServer _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        _twilio = await FakeTwilioServer.StartAsync();
        var settings = new Dictionary<string, string?>(_twilio.ConfigurationValues())
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Pipeline:Storage:TablePrefix"] = AzuriteFixture.UniqueName("t"),
            ["Pipeline:QuietHours"] = "off",
            ["Twilio:StatusCallbackBaseUrl"] = WebhookBase + "/api",
            ["Twilio:WebhookBaseUrl"] = WebhookBase,
            ["Outbox:Directory"] = _outbox,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        _app = TestAppServer.Start(settings, services =>
        {
            // The dispatch batches as the transport would carry them (their message JSON, traceparent included), without
            // sharing Azurite's sms-dispatch queue with other tests.
            services.AddSingleton<IDispatchQueue>(_dispatch);
            services.AddPipelineTelemetry(configuration)
                .WithTracing(tracing => tracing.AddInMemoryExporter(_spans))
                .WithMetrics(metrics => metrics.AddInMemoryExporter(_metrics));
        });
        _client = _app.CreateClient();
        (await _app.Services.GetRequiredService<SeedLoader>().LoadFileAsync(RepositoryPaths.Combine("demo", "seed.json"))).Errors.Should().BeEmpty();
    }

    public async Task DisposeAsync()
    {
        await _app.Services.GetRequiredService<PipelineTables>().DeleteAllAsync();
        _client.Dispose();
        await _app.DisposeAsync();
        await _twilio.DisposeAsync();
        if (Directory.Exists(_outbox))
        {
            Directory.Delete(_outbox, recursive: true);
        }
    }

    [Fact]
    public async Task OneAlert_FromTheEventToTheTwilioRequestAndItsCallback_IsOneTrace()
    {
        // The producer's span: the event carries its traceparent, as the API's and the ScheduleTick's publishers write it.
        var producer = ActivityContext.Parse($"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01", null);
        var traceId = producer.TraceId;
        var body = JsonNode.Parse(EventJson)!.AsObject();
        body[PipelineTelemetry.TraceParentField] = $"00-{producer.TraceId}-{producer.SpanId}-01";

        // event → FanOut → every chunk (pages included) → dispatch batches, each message text handed on as the host would.
        var fanOut = await Function<FanOutFunction>().RunAsync(body.ToJsonString(), "trace-event", default);
        var batches = await FanOutChunksAsync(fanOut);

        // One dispatch batch through the real Twilio SDK to the loopback fake (the one holding Aigul), then Twilio's status
        // callback for her SMS.
        var aigul = _app.Services.GetRequiredService<RecipientHasher>().Hash(PhoneNumber.Parse("+447700900101"));
        var batch = batches.First(b => b.Channel == Channel.Sms && b.Recipients.Contains(aigul));
        await SendAsync(batch);
        var key = batch.Keys.Single(k => k.Recipient == aigul);
        var row = (await _app.Services.GetRequiredService<IDeliveryStore>().GetAsync(key))!.Record;
        row.Status.Should().Be(DeliveryStatus.Sent);
        using (var callback = await PostStatusAsync(key.Value, "delivered", row.ProviderId!))
        {
            callback.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await _app.ApplyQueuedStatusCallbacksAsync()).Should().Be(1, "the webhook queued it; ApplySmsStatus applies it");

        Flush();
        var trace = _spans.Snapshot().Where(s => s.TraceId == traceId).ToList();
        var fanOutSpan = trace.Should().ContainSingle(s => s.DisplayName == PipelineTelemetry.Spans.FanOut).Subject;
        fanOutSpan.ParentSpanId.Should().Be(producer.SpanId, "FanOut continues the event's traceparent");
        var chunkSpans = trace.Where(s => s.DisplayName == PipelineTelemetry.Spans.FanOutChunk).ToList();
        chunkSpans.Should().HaveCountGreaterThanOrEqualTo(fanOut.Chunks!.Length, "one per branch chunk, and one per further page");
        chunkSpans.Should().OnlyContain(s => s.ParentSpanId == fanOutSpan.SpanId || chunkSpans.Any(p => p.SpanId == s.ParentSpanId), "a chunk's parent is FanOut or the page before");
        var send = trace.Should().ContainSingle(s => s.DisplayName == PipelineTelemetry.Spans.SendSms).Subject;
        chunkSpans.Should().Contain(s => s.SpanId == send.ParentSpanId, "the send continues the chunk that dispatched it");
        send.GetTagItem(PipelineTelemetry.Tags.DispatchId).Should().Be(batch.DispatchId);
        send.GetTagItem(PipelineTelemetry.Tags.Settlement).Should().Be(nameof(DispatchSettlement.Complete));
        // The send's client spans: its table reads and writes on Azurite, and one request to Twilio's Messages resource per
        // recipient of the batch; Aigul's is the one whose traceparent the fake received with her message.
        var twilioRequests = trace.Where(s => s.Kind == ActivityKind.Client && s.ParentSpanId == send.SpanId
            && (s.GetTagItem("url.full") as string ?? string.Empty).Contains($"/Accounts/{_twilio.AccountSid}/Messages.json", StringComparison.Ordinal)).ToList();
        twilioRequests.Should().HaveCount(batch.Recipients.Count).And.OnlyContain(s => Equals(s.GetTagItem("http.request.method"), "POST"));
        var create = _twilio.CreateRequests.Should().ContainSingle(r => r.FormValue("To") == "+447700900101").Subject;
        var twilioRequest = twilioRequests.Should().ContainSingle(s => create.TraceParent == $"00-{traceId}-{s.SpanId}-01",
            "the Twilio request itself carried the trace (HttpClient propagates the span's context as traceparent)").Subject;
        var status = trace.Should().ContainSingle(s => s.DisplayName == PipelineTelemetry.Spans.StatusCallback).Subject;
        status.ParentSpanId.Should().Be(send.SpanId, "the callback continues the send's context stored on the row");
        status.GetTagItem(PipelineTelemetry.Tags.Outcome).Should().Be(nameof(CallbackOutcome.Applied));

        twilioRequest.Status.Should().NotBe(ActivityStatusCode.Error);
        _metrics.Snapshot().Should().Contain(m => m.Name == "alertpipeline.sends");
    }

    [Fact]
    public async Task ExportedSpans_CarryNoPhoneNumberOrEmail()
    {
        var fanOut = await Function<FanOutFunction>().RunAsync(EventJson, "pii-event", default);
        foreach (var batch in (await FanOutChunksAsync(fanOut)).Where(b => b.Channel == Channel.Sms))
        {
            await SendAsync(batch);
        }

        // A reconciliation read: its URL's query names the recipient (the instrumentation must not export it).
        await foreach (var found in _app.Services.GetRequiredService<ISmsGateway>().FindSentAsync("+447700900101", DateTimeOffset.UtcNow.AddHours(-1)))
        {
            found.ProviderId.Should().StartWith("SM");
        }

        Flush();
        var spans = _spans.Snapshot();
        spans.Should().Contain(s => s.DisplayName == PipelineTelemetry.Spans.SendSms).And.Contain(s => s.Kind == ActivityKind.Client);
        var personal = PersonalData().ToList();
        personal.Should().HaveCountGreaterThan(40, "the seed's numbers and emails");
        foreach (var span in spans)
        {
            var texts = span.TagObjects.Select(t => $"{t.Key}={t.Value}")
                .Concat(span.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}")))
                .Append(span.DisplayName)
                .Append(span.StatusDescription ?? string.Empty);
            foreach (var text in texts)
            {
                personal.Should().NotContain(p => text.Contains(p, StringComparison.OrdinalIgnoreCase), "span {0} must not carry personal data", span.DisplayName);
                Uri.UnescapeDataString(text).Should().Be(Redact.ForeignText(Uri.UnescapeDataString(text)), "span {0} carries no number or email in any form", span.DisplayName);
            }
        }
    }

    /// <summary>Runs FanOutChunk on every chunk and page, as the host would; returns the dispatch batches they sent.</summary>
    private async Task<List<DispatchBatch>> FanOutChunksAsync(FanOutOutput fanOut)
    {
        var chunks = new Queue<string>(fanOut.Chunks!);
        while (chunks.TryDequeue(out var chunk))
        {
            var output = await Function<FanOutChunkFunction>().RunAsync(chunk, default);
            if (output.Next is { } next)
            {
                chunks.Enqueue(next);
            }
        }

        return _dispatch.Take();
    }

    /// <summary>One dispatch batch through the Storage-queue consumer, from the message text the transport would carry.</summary>
    private Task SendAsync(DispatchBatch batch) =>
        Function<StorageDispatchConsumer>().RunAsync(SendSmsFunction.Name, Channel.Sms, JsonSerializer.Serialize(batch.ToMessage(), JsonSerializerOptions.Web), 1, default);

    /// <summary>Every phone number (E.164 and its digits alone) and email of the demo seed.</summary>
    private static IEnumerable<string> PersonalData()
    {
        foreach (var contact in JsonNode.Parse(Seed)!["contacts"]!.AsArray())
        {
            if (contact?["phone"]?.GetValue<string>() is { } written)
            {
                yield return string.Concat(written.Where(c => c is '+' || char.IsAsciiDigit(c)));
                yield return string.Concat(written.Where(char.IsAsciiDigit));
            }

            if (contact?["email"]?.GetValue<string>() is { } email)
            {
                yield return email;
            }
        }
    }

    private void Flush()
    {
        _app.Services.GetRequiredService<TracerProvider>().ForceFlush().Should().BeTrue();
        _app.Services.GetRequiredService<MeterProvider>().ForceFlush().Should().BeTrue();
    }


    /// <summary>A function class built as the worker builds it: constructor arguments from the app's services.</summary>
    private T Function<T>() => ActivatorUtilities.CreateInstance<T>(_app.Services);

    private async Task<HttpResponseMessage> PostStatusAsync(string reference, string status, string messageSid)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("AccountSid", _twilio.AccountSid), new("MessageSid", messageSid), new("MessageStatus", status),
        };
        var path = $"/api/twilio/status?ref={reference}";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(FormEncoding.Encode(form), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add(TwilioWebhookSignature.Header, FakeTwilioServer.Sign(_twilio.AuthToken, WebhookBase + path, form));
        return await _client.SendAsync(request);
    }

    /// <summary>What the in-memory exporter wrote (other test classes' spans too: the sources are process-wide), read safely while it writes.</summary>
    private sealed class Exported<T> : Collection<T>
    {
        private readonly Lock _gate = new();

        public List<T> Snapshot()
        {
            lock (_gate)
            {
                return [.. Items];
            }
        }

        protected override void InsertItem(int index, T item)
        {
            lock (_gate)
            {
                base.InsertItem(index, item);
            }
        }
    }
}

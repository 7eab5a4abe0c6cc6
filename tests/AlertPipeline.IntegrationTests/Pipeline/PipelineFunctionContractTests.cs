using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Functions.Functions;
using AlertPipeline.Infrastructure.Channels;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Infrastructure.Twilio;
using Microsoft.Azure.Functions.Worker;
using Moq;
using AlertPipeline.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace AlertPipeline.IntegrationTests.Pipeline;

/// <summary>
/// The pipeline's functions on Azurite with the demo seed and the outbox gateways: the queue functions' classes called as
/// the worker calls them (message text in, queue outputs out), the webhooks over HTTP signed as Twilio signs them (through
/// the in-process server of <see cref="TestFunctionApps"/>).
/// </summary>
public sealed class PipelineFunctionContractTests : IAsyncLifetime, IDisposable
{
    private const string AuthToken = "contract-test-auth-token";
    private const string WebhookBase = "https://alerts.example.org";
    private static readonly string EventJson = File.ReadAllText(RepositoryPaths.Combine("demo", "zhanaozen-event.json"));
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero));
    private readonly string _outbox = Path.Combine(Path.GetTempPath(), "outbox-" + Guid.NewGuid().ToString("N"));
    private readonly LogSink _logs = new();
    private readonly BodyMeter _meter = new();
    private readonly RecordingDispatchQueue _dispatch = new();
    private TestAppServer _factory = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        _factory = TestAppServer.Start(
            new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["Pipeline:Storage:TablePrefix"] = AzuriteFixture.UniqueName("f"),
                ["Pipeline:QuietHours"] = "off", // 06:00 UTC is night for some members; these counts assume sends now
                ["Twilio:AuthToken"] = AuthToken,
                ["Twilio:WebhookBaseUrl"] = WebhookBase,
                ["Outbox:Directory"] = _outbox,
            },
            services =>
            {
                services.AddSingleton<TimeProvider>(_time);
                services.AddLogging(logging => logging.AddProvider(_logs));
                services.AddSingleton<IStartupFilter>(_meter);
                services.AddSingleton<IDispatchQueue>(_dispatch); // the functions' contract, not the transport's (tests/…/Dispatch)
            });
        _client = _factory.CreateClient();
        var report = await _factory.Services.GetRequiredService<SeedLoader>().LoadFileAsync(RepositoryPaths.Combine("demo", "seed.json"));
        report.Errors.Should().BeEmpty();
    }

    public async Task DisposeAsync()
    {
        await _factory.Services.GetRequiredService<PipelineTables>().DeleteAllAsync();
        _client.Dispose();
        await _factory.DisposeAsync();
        if (Directory.Exists(_outbox))
        {
            Directory.Delete(_outbox, recursive: true);
        }
    }

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task FanOut_ValidEvent_OutputsOneChunkPerSubscribedBranchAndNoPoison()
    {
        var response = await FanOutFunctionAsync(EventJson);

        var chunks = response.Chunks!.Select(m => JsonSerializer.Deserialize<FanOutChunkMessage>(m, JsonSerializerOptions.Web)!).ToList();
        chunks.Select(c => $"{c.UnionId}/{c.BranchId}").Should().BeEquivalentTo(
        [
            "kz-oil-workers/zhanaozen", "kz-oil-workers/aqtau", "kz-oil-workers/kalamkas",
            "uk-energy-workers/london", "uk-energy-workers/aberdeen", "us-refinery-workers/houston",
        ]);
        chunks.Should().OnlyContain(c => c.Page == 0 && c.ContinuationToken == null && c.AlertId == chunks[0].AlertId);
        response.Poison.Should().BeNull();
        response.Chunks![0].Should().NotContainAny("\"Id\"", "\"id\"", "DequeueCount", "MessageId");
    }

    [Fact]
    public async Task FanOut_InvalidEvent_OutputsTheBodyToPoisonAndRecordsEveryReason()
    {
        var bad = EventJson.Replace("\"sms\", \"email\"", "\"sms\", \"fax\"", StringComparison.Ordinal).Replace("Asia/Aqtau", "Asia/Aktau", StringComparison.Ordinal);

        var response = await FanOutFunctionAsync(bad, messageId: "poison-me");

        response.Chunks.Should().BeNull();
        JsonNode.DeepEquals(JsonNode.Parse(response.Poison!), JsonNode.Parse(bad)).Should().BeTrue("the original body goes to alert-events-poison");
        var recorded = await _factory.Services.GetRequiredService<RejectedEventRepository>().ListAsync(new LocalDate(2026, 11, 22));
        recorded.Should().ContainSingle().Which.Should().Match<(string BodySha256, string Reasons, string? MessageId)>(r =>
            r.MessageId == "poison-me" && r.Reasons.Contains("$.channels[1]: unknown channel 'fax'") && r.Reasons.Contains("$.occurrence.timeZone"));
        _logs.Lines.Should().Contain(l => l.Contains("rejected", StringComparison.Ordinal) && l.Contains("$.channels[1]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FanOut_NotJson_PoisonWrapsTheBody()
    {
        var response = await FanOutFunctionAsync("not json at all");

        response.Poison.Should().Be("""{"unparsedBody":"not json at all"}""");
    }

    [Fact]
    public async Task Pipeline_EventToOutbox_OneSmsPerPersonThenCallbacksOnlyMoveForward()
    {
        var (sms, email) = await FanOutAsync();
        foreach (var batch in sms)
        {
            await Function<SendSmsFunction>().RunAsync(Json(batch), DequeuedOnce, default);
        }

        foreach (var batch in email)
        {
            await Function<SendEmailFunction>().RunAsync(Json(batch), DequeuedOnce, default);
        }

        var outbox = _factory.Services.GetRequiredService<Infrastructure.Channels.Outbox.OutboxSmsSender>();
        var sent = new List<Infrastructure.Channels.Outbox.OutboxSmsRecord>();
        await foreach (var record in outbox.ReadAllAsync())
        {
            sent.Add(record);
        }

        sent.Should().HaveCount(41).And.OnlyHaveUniqueItems(r => r.To);
        sent.Should().ContainSingle(r => r.To == "+447700900101", "Aigul is in two branches of two unions");
        sent.Should().NotContain(r => r.To == "+447700900102", "Nurlan texted STOP");
        sms.Should().OnlyContain(b => b.Recipients.Count <= 50);
        var aigulKey = sms.SelectMany(b => b.Keys).Distinct()
            .Single(k => k.Recipient == _factory.Services.GetRequiredService<RecipientHasher>().Hash(PhoneNumber.Parse("+447700900101")));
        sent.Single(r => r.To == "+447700900101").Body.Should().StartWith("Айгуль Сейткали, 16.12.2026 в 11:00 вспоминаем");
        var deliveries = _factory.Services.GetRequiredService<IDeliveryStore>();
        (await deliveries.GetAsync(aigulKey))!.Record.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Encoding == Core.Messaging.SmsEncodingKind.Ucs2);

        var providerId = (await deliveries.GetAsync(aigulKey))!.Record.ProviderId!;
        (await PostStatusAsync(aigulKey.Value, "delivered", messageSid: providerId)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _factory.ApplyQueuedStatusCallbacksAsync()).Should().Be(1);
        (await PostStatusAsync(aigulKey.Value, "sent", messageSid: providerId)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _factory.ApplyQueuedStatusCallbacksAsync()).Should().Be(1);
        (await deliveries.GetAsync(aigulKey))!.Record.Status.Should().Be(DeliveryStatus.Delivered, "a late 'sent' never moves it back");
        (await PostStatusAsync("no-such-delivery", "delivered")).StatusCode.Should().Be(HttpStatusCode.OK, "unknown references are ignored");
        (await _factory.ApplyQueuedStatusCallbacksAsync()).Should().Be(0, "and never queued");

        _logs.Lines.Should().NotContain(l => l.Contains("+447700900101", StringComparison.Ordinal) || l.Contains("aigul.seitkali@", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("wrong-signature")]
    [InlineData(null)]
    public async Task StatusCallback_BadSignature_Is403AndChangesNothing(string? signature)
    {
        var (sms, _) = await FanOutAsync();
        var key = sms[0].Keys[0].Value;

        var response = await PostStatusAsync(key, "delivered", signature: signature ?? "");

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await _factory.Services.GetRequiredService<IDeliveryStore>().GetAsync(DeliveryKey.Parse(key)))!.Record.Status.Should().Be(DeliveryStatus.Pending);
    }

    [Fact]
    public async Task StatusCallback_SignedForAnotherUrl_Is403()
    {
        var (sms, _) = await FanOutAsync();
        var form = Form(("MessageSid", "SM1"), ("MessageStatus", "delivered"));
        var signature = FakeTwilioServer.Sign(AuthToken, $"{WebhookBase}/api/twilio/status?ref=other", form);

        var response = await PostFormAsync($"/api/twilio/status?ref={sms[0].Keys[0]}", form, signature);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Inbound_StopThenHelp_OptsOutAndAnswersWithTwiml()
    {
        const string from = "+447700900125";

        var stop = await PostInboundAsync(from, "STOP");
        var help = await PostInboundAsync(from, "HELP");
        var russian = await PostInboundAsync(from, "СТАРТ");

        stop.StatusCode.Should().Be(HttpStatusCode.OK);
        stop.Content.Headers.ContentType!.MediaType.Should().Be("text/xml");
        (await stop.Content.ReadAsStringAsync()).Should().EndWith("<Response/>", "Twilio confirms its own STOP keyword");
        (await help.Content.ReadAsStringAsync()).Should().Contain("<Message>").And.Contain("Reply STOP to unsubscribe");
        (await russian.Content.ReadAsStringAsync()).Should().Contain(InboundSmsHandler.OptInConfirmationRu);
        var hasher = _factory.Services.GetRequiredService<RecipientHasher>();
        (await _factory.Services.GetRequiredService<IOptOutStore>().IsOptedOutAsync(hasher.Hash(PhoneNumber.Parse(from)), Channel.Sms)).Should().BeFalse("START lifted it");
        _logs.Lines.Should().NotContain(l => l.Contains(from, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Inbound_HelpAfterAnAlert_EscapesTheCampaignsHelpLine()
    {
        var (sms, _) = await FanOutAsync();
        foreach (var batch in sms)
        {
            await Function<SendSmsFunction>().RunAsync(Json(batch), DequeuedOnce, default);
        }

        var help = await PostInboundAsync("+447700900101", "help");

        (await help.Content.ReadAsStringAsync()).Should().Contain("<Message>Justice for Kazakhstan&apos;s Oil Workers: help@example.org");
    }

    [Fact]
    public async Task Inbound_BadSignature_Is403AndRecordsNothing()
    {
        var form = Form(("From", "+447700900125"), ("Body", "STOP"));

        var response = await PostFormAsync("/api/twilio/inbound", form, "bad");

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var hasher = _factory.Services.GetRequiredService<RecipientHasher>();
        (await _factory.Services.GetRequiredService<IOptOutStore>().IsOptedOutAsync(hasher.Hash(PhoneNumber.Parse("+447700900125")), Channel.Sms)).Should().BeFalse();
    }

    [Fact]
    public async Task Inbound_UnsignedWithNulInAFormValue_Is403()
    {
        var form = Form(("MessageSid", NewSid()), ("From", "+447700900125"), ("To", "+15005550006"), ("Body", "STOP\0<x>"));

        using var response = await PostFormAsync("/api/twilio/inbound", form, string.Empty);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await IsOptedOutAsync("+447700900125")).Should().BeFalse();
    }

    [Theory]
    [InlineData("/api/twilio/inbound")]
    [InlineData("/api/twilio/status?ref=x")]
    public async Task Webhooks_Unsigned5000Fields_Are400(string path)
    {
        var form = Enumerable.Range(0, 5000).Select(i => KeyValuePair.Create($"f{i}", "1")).ToList();

        using var response = await PostFormAsync(path, form, "bm90IGEgc2lnbmF0dXJl");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Webhooks_Unsigned5MiBBody_Is413WithoutReadingItAll(bool contentLength)
    {
        const long size = 5L * 1024 * 1024;
        var body = new CountingStream(size, "Body=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&"u8.ToArray());
        using var content = new StreamContent(body, 16 * 1024);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        content.Headers.ContentLength = contentLength ? size : null;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/twilio/inbound", UriKind.Relative)) { Content = content };
        request.Headers.TransferEncodingChunked = !contentLength;
        request.Headers.Add(TwilioWebhookSignature.Header, "bm90IGEgc2lnbmF0dXJl");

        using var response = await _client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        problem.GetProperty("limit").GetInt32().Should().Be(64 * 1024, "the answer names the limit");
        problem.GetProperty("limitName").GetString().Should().Be("Twilio webhooks");
        _meter.BytesRead.Should().BeLessThanOrEqualTo(AlertPipeline.Functions.Functions.TwilioWebhookValidator.MaxBodyBytes + (16 * 1024), "the app reads only a bounded prefix of the body");
    }

    [Fact]
    public async Task Inbound_SignedWithNulRtlAndEmoji_Answers200()
    {
        using var response = await PostInboundAsync("+447700900125", "\u0645\u0631\u062D\u0628\u0627 \u202Eevil\u202C \U0001F44B\U0001F3FD \0 done");

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadAsStringAsync()).Should().EndWith("<Response/>");
    }

    [Fact]
    public async Task Inbound_StopReplayedAfterStart_DoesNotOptOutAgain()
    {
        const string from = "+447700900126";
        var stopSid = NewSid();
        (await PostInboundAsync(from, "STOP", stopSid)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await PostInboundAsync(from, "START")).StatusCode.Should().Be(HttpStatusCode.OK);

        using var replay = await PostInboundAsync(from, "STOP", stopSid);

        replay.StatusCode.Should().Be(HttpStatusCode.OK, "Twilio must not retry it");
        (await IsOptedOutAsync(from)).Should().BeFalse("the STOP was applied once, before the START");
        _logs.Lines.Should().Contain(l => l.Contains(stopSid, StringComparison.Ordinal) && l.Contains("replay", StringComparison.Ordinal));
        _logs.Lines.Should().NotContain(l => l.Contains(from, StringComparison.Ordinal));
    }

    [Fact]
    public async Task StatusCallback_MessageSidOfAnotherMessage_IsIgnoredAndLogged()
    {
        var (sms, _) = await FanOutAsync();
        await Function<SendSmsFunction>().RunAsync(Json(sms[0]), DequeuedOnce, default);
        var key = sms[0].Keys[0];
        var deliveries = _factory.Services.GetRequiredService<IDeliveryStore>();
        var sent = (await deliveries.GetAsync(key))!.Record;
        sent.Status.Should().Be(DeliveryStatus.Sent);
        var otherSid = NewSid();

        using var response = await PostStatusAsync(key.Value, "delivered", messageSid: otherSid);
        var applied = await _factory.ApplyQueuedStatusCallbacksAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        applied.Should().Be(1);
        (await deliveries.GetAsync(key))!.Record.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.ProviderId == sent.ProviderId);
        _logs.Lines.Should().Contain(l => l.Contains(key.Value, StringComparison.Ordinal) && l.Contains(otherSid, StringComparison.Ordinal) && l.Contains("ignored", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StatusCallback_Signed_Answers200BeforeTheRowChanges_ThenApplySmsStatusMovesIt()
    {
        var (sms, _) = await FanOutAsync();
        await Function<SendSmsFunction>().RunAsync(Json(sms[0]), DequeuedOnce, default);
        var key = sms[0].Keys[0];
        var deliveries = _factory.Services.GetRequiredService<IDeliveryStore>();
        var sent = (await deliveries.GetAsync(key))!;

        using var response = await PostStatusAsync(key.Value, "undelivered", messageSid: sent.Record.ProviderId!, errorCode: "30003");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var stored = (await deliveries.GetAsync(key))!;
        stored.ETag.Should().Be(sent.ETag, "the answer came before any table work");
        var queued = (await _factory.StatusQueue.PeekMessagesAsync(10)).Value.Should().ContainSingle().Subject.Body.ToString();
        queued.Should().Contain(key.Value).And.NotContain("447700900101", "the callback's To is not queued");
        (await _factory.ApplyQueuedStatusCallbacksAsync()).Should().Be(1);
        (await deliveries.GetAsync(key))!.Record.Should().Match<DeliveryRecord>(r =>
            r.Status == DeliveryStatus.Undelivered && r.ErrorCode == "30003" && r.FailureReason == FailureReason.Unreachable);
    }

    [Fact]
    public async Task StatusMessage_Malformed_IsWrittenToThePoisonQueueWithItsReason()
    {
        await _factory.StatusQueue.CreateIfNotExistsAsync();
        await _factory.StatusQueue.SendMessageAsync("""{"reference":"no-such-delivery","messageStatus":"delivered"}""");

        (await _factory.ApplyQueuedStatusCallbacksAsync()).Should().Be(1);

        var poisoned = (await _factory.StatusPoisonQueue.ReceiveMessagesAsync(10)).Value.Should().ContainSingle().Subject;
        var entry = JsonSerializer.Deserialize<StatusPoisonEntry>(poisoned.Body.ToString(), JsonSerializerOptions.Web)!;
        entry.DeadLetterReason.Should().Be(DeadLetterReasons.MalformedMessage);
        entry.DeadLetterDescription.Should().Contain("reference");
        entry.Body.Should().Contain("no-such-delivery");
        _logs.Lines.Should().Contain(l => l.Contains(_factory.StatusPoisonQueue.Name, StringComparison.Ordinal) && l.Contains(DeadLetterReasons.MalformedMessage, StringComparison.Ordinal));
    }

    private async Task<bool> IsOptedOutAsync(string phone) =>
        await _factory.Services.GetRequiredService<IOptOutStore>().IsOptedOutAsync(
            _factory.Services.GetRequiredService<RecipientHasher>().Hash(PhoneNumber.Parse(phone)), Channel.Sms);

    private async Task<(List<DispatchBatch> Sms, List<DispatchBatch> Email)> FanOutAsync()
    {
        _dispatch.Take();
        var queue = new Queue<string>((await FanOutFunctionAsync(EventJson)).Chunks!);
        var function = Function<FanOutChunkFunction>();
        while (queue.TryDequeue(out var chunk))
        {
            var output = await function.RunAsync(chunk, default);
            if (output.Next is { } next)
            {
                queue.Enqueue(next);
            }
        }

        var batches = _dispatch.Take();
        return ([.. batches.Where(b => b.Channel == Channel.Sms)], [.. batches.Where(b => b.Channel == Channel.Email)]);
    }

    private static string Json(DispatchBatch batch) => JsonSerializer.Serialize(batch.ToMessage(), JsonSerializerOptions.Web);

    /// <summary>The trigger's binding data on a first delivery (DequeueCount 1).</summary>
    private static FunctionContext DequeuedOnce
    {
        get
        {
            var binding = new Mock<BindingContext>(MockBehavior.Strict);
            binding.SetupGet(b => b.BindingData).Returns(new Dictionary<string, object?> { ["DequeueCount"] = "1" });
            var context = new Mock<FunctionContext>(MockBehavior.Strict);
            context.SetupGet(c => c.BindingContext).Returns(binding.Object);
            return context.Object;
        }
    }

    private Task<FanOutOutput> FanOutFunctionAsync(string body, string? messageId = null) =>
        Function<FanOutFunction>().RunAsync(body, messageId ?? Guid.NewGuid().ToString(), default);

    /// <summary>A function class built as the worker builds it: constructor arguments from the app's services.</summary>
    private T Function<T>() => ActivatorUtilities.CreateInstance<T>(_factory.Services);

    private Task<HttpResponseMessage> PostStatusAsync(string reference, string status, string? signature = null, string messageSid = "SM1", string? errorCode = null)
    {
        var form = Form(("AccountSid", "AC0123456789abcdef0123456789abcdef"), ("MessageSid", messageSid), ("MessageStatus", status), ("To", "+447700900101"));
        if (errorCode is not null)
        {
            form = [.. form, KeyValuePair.Create("ErrorCode", errorCode)];
        }

        var path = $"/api/twilio/status?ref={reference}";
        return PostFormAsync(path, form, signature ?? FakeTwilioServer.Sign(AuthToken, WebhookBase + path, form));
    }

    private Task<HttpResponseMessage> PostInboundAsync(string from, string body, string? messageSid = null)
    {
        var form = Form(
            ("AccountSid", "AC0123456789abcdef0123456789abcdef"), ("MessageSid", messageSid ?? NewSid()), ("From", from), ("To", "+15005550006"), ("Body", body));
        return PostFormAsync("/api/twilio/inbound", form, FakeTwilioServer.Sign(AuthToken, WebhookBase + "/api/twilio/inbound", form));
    }

    private async Task<HttpResponseMessage> PostFormAsync(string path, IReadOnlyList<KeyValuePair<string, string>> form, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(FormEncoding.Encode(form), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        if (signature.Length > 0)
        {
            request.Headers.Add(TwilioWebhookSignature.Header, signature);
        }

        return await _client.SendAsync(request);
    }

    private static List<KeyValuePair<string, string>> Form(params (string Name, string Value)[] fields) =>
        [.. fields.Select(f => KeyValuePair.Create(f.Name, f.Value))];

    private static string NewSid() => "SM" + Guid.NewGuid().ToString("N");

    /// <summary>Counts the request body bytes the app reads (every request of this fixture; tests read it after one request).</summary>
    private sealed class BodyMeter : IStartupFilter
    {
        private long _read;

        public long BytesRead => Interlocked.Read(ref _read);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                context.Request.Body = new MeteredStream(context.Request.Body, this);
                await nextMiddleware();
            });
            next(app);
        };

        private sealed class MeteredStream(Stream inner, BodyMeter meter) : Stream
        {
            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
                Count(await inner.ReadAsync(buffer, cancellationToken));

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            private int Count(int read)
            {
                Interlocked.Add(ref meter._read, read);
                return read;
            }
        }
    }

    /// <summary>A request body of <paramref name="length"/> bytes, generated as it is read.</summary>
    private sealed class CountingStream(long length, byte[] pattern) : Stream
    {
        private long _position;

        public long BytesRead => Interlocked.Read(ref _position);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++)
            {
                buffer[offset + i] = pattern[(_position + i) % pattern.Length];
            }

            Interlocked.Add(ref _position, n);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

using System.Diagnostics;
using System.Globalization;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Channels;
using AlertPipeline.Infrastructure.Twilio;
using AlertPipeline.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Twilio.Security;

namespace AlertPipeline.IntegrationTests.Channels;

/// <summary>
/// The gateway as the app wires it (<c>AddSmsGateway</c>): the real Twilio SDK (<c>TwilioRestClient</c> over
/// <c>SystemNetHttpClient</c>) talking HTTP to the loopback <see cref="FakeTwilioServer"/>.
/// </summary>
public sealed class TwilioSmsGatewayTests : IAsyncLifetime
{
    private const string To = "+447700900123";
    private const string Service = "MG0123456789abcdef0123456789abcdef";
    private FakeTwilioServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeTwilioServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ServiceProvider Provider(
        OutboxSenderTests.RecordingLogger<TwilioSmsGateway>? log = null,
        double segmentsPerSecond = 0,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>(_server.ConfigurationValues())
        {
            ["Twilio:StatusCallbackBaseUrl"] = "https://alerts.example.org/api",
            ["Twilio:SegmentsPerSecond"] = segmentsPerSecond.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddSmsGateway(configuration);
        if (log is not null)
        {
            services.AddSingleton<ILogger<TwilioSmsGateway>>(log);
        }

        return services.BuildServiceProvider();
    }

    private ISmsGateway Gateway(IReadOnlyDictionary<string, string?>? settings = null) => Provider(settings: settings).GetRequiredService<ISmsGateway>();

    private static SmsSendRequest Request(string to = To, string body = "Picket at gate 3, 06:00") =>
        new(to, body, "alert-7/sms/k1", TimeSpan.FromMinutes(10));

    private static async Task<SmsSendException> FailingSend(ISmsGateway gateway, SmsSendRequest? request = null, CancellationToken cancellationToken = default) =>
        (await FluentActions.Awaiting(() => gateway.SendAsync(request ?? Request(), cancellationToken)).Should().ThrowAsync<SmsSendException>()).Which;

    [Fact]
    public async Task AddSmsGateway_WithAccountSid_SendsThroughTwilioWithCallbackCarryingTheReference()
    {
        var log = new OutboxSenderTests.RecordingLogger<TwilioSmsGateway>();
        await using var provider = Provider(log);
        var gateway = provider.GetRequiredService<ISmsGateway>();

        var result = await gateway.SendAsync(new SmsSendRequest(To, "Picket 06:00", "alert-7/sms/k1", TimeSpan.FromDays(2)));

        gateway.Should().BeOfType<TwilioSmsGateway>();
        result.ProviderId.Should().Be(_server.SentMessages.Single().Sid);
        result.Status.Should().Be("queued");
        var sent = _server.SentMessages.Single();
        sent.StatusCallback.Should().Be("https://alerts.example.org/api/twilio/status?ref=alert-7%2Fsms%2Fk1");
        sent.ValidityPeriod.Should().Be(36000, "two days is clamped to Twilio's maximum");
        sent.From.Should().Be(FakeTwilioServer.DefaultFrom);
        log.Messages.Should().ContainSingle().Which.Should().Contain(result.ProviderId).And.NotContain(To);
    }

    [Fact]
    public async Task SendAsync_Accepted_ServerSawTheSdkFormWithBasicAuth()
    {
        var result = await Gateway().SendAsync(Request());

        result.ProviderId.Should().MatchRegex("^SM[0-9a-f]{32}$");
        result.Segments.Should().Be(1);
        var request = _server.CreateRequests.Should().ContainSingle().Subject;
        request.Authorized.Should().BeTrue();
        request.Path.Should().Be($"/2010-04-01/Accounts/{_server.AccountSid}/Messages.json");
        request.FormValue("To").Should().Be(To);
        request.FormValue("From").Should().Be(FakeTwilioServer.DefaultFrom);
        request.FormValue("Body").Should().Be("Picket at gate 3, 06:00");
        request.FormValue("StatusCallback").Should().Be("https://alerts.example.org/api/twilio/status?ref=alert-7%2Fsms%2Fk1");
        request.FormValue("ValidityPeriod").Should().Be("600");
        _server.SentMessages.Should().ContainSingle(m => m.Sid == result.ProviderId);
    }

    [Fact]
    public async Task SendAsync_CyrillicLongBody_ArrivesIntactAndCountsSegments()
    {
        var body = string.Concat(Enumerable.Repeat("Забастовка завтра. ", 5)); // 95 UCS-2 characters: 2 segments

        var result = await Gateway().SendAsync(Request(body: body));

        _server.SentMessages.Single().Body.Should().Be(body);
        result.Segments.Should().Be(2);
    }

    [Fact]
    public async Task SendAsync_MessagingService_SendsTheServiceSidNotFrom()
    {
        var gateway = Gateway(new Dictionary<string, string?> { ["Twilio:From"] = null, ["Twilio:MessagingServiceSid"] = Service });

        var result = await gateway.SendAsync(Request());

        result.Status.Should().Be("accepted");
        _server.CreateRequests.Single().FormValue("MessagingServiceSid").Should().Be(Service);
        _server.CreateRequests.Single().FormValue("From").Should().BeNull();
    }

    [Fact]
    public async Task SendAsync_WrongAuthToken_FailsAsConfigurationWithoutRetry()
    {
        var ex = await FailingSend(Gateway(new Dictionary<string, string?> { ["Twilio:AuthToken"] = "wrong-token" }));

        ex.Kind.Should().Be(ChannelFailureKind.Configuration);
        ex.ProviderCode.Should().Be("20003");
        _server.Requests.Should().ContainSingle().Which.Authorized.Should().BeFalse();
        _server.SentMessages.Should().BeEmpty();
    }

    [Fact]
    public async Task SendAsync_TooManyRequestsTwice_RetriesThenSucceeds()
    {
        _server.FailNext(2, TwilioFault.TooManyRequests);

        var result = await Gateway().SendAsync(Request());

        _server.CreateRequests.Select(r => r.ResponseStatus).Should().Equal(429, 429, 201);
        _server.SentMessages.Should().ContainSingle(m => m.Sid == result.ProviderId);
    }

    [Fact]
    public async Task SendAsync_TooManyRequestsBeyondRetries_FailsTransient()
    {
        _server.FailNext(10, TwilioFault.TooManyRequests);

        var ex = await FailingSend(Gateway(new Dictionary<string, string?> { ["Twilio:MaxRetries"] = "2" }));

        ex.Kind.Should().Be(ChannelFailureKind.Transient);
        ex.ProviderCode.Should().Be("20429");
        _server.CreateRequests.Should().HaveCount(3);
    }

    [Theory]
    [InlineData(TwilioFault.ServerError, "20500")]
    [InlineData(TwilioFault.ServiceUnavailable, "20503")]
    public async Task SendAsync_ServerError_IsNotRepeatedAndReportsOutcomeUnknown(TwilioFault fault, string code)
    {
        _server.FailNext(1, fault);

        var ex = await FailingSend(Gateway());

        ex.Kind.Should().Be(ChannelFailureKind.OutcomeUnknown);
        ex.ProviderCode.Should().Be(code);
        _server.CreateRequests.Should().ContainSingle("a 5xx may hide an accepted message; repeating it could text the member twice");
    }

    [Theory]
    [InlineData(TwilioFault.OptedOut, ChannelFailureKind.OptedOut, "21610")]
    [InlineData(TwilioFault.InvalidTo, ChannelFailureKind.InvalidRecipient, "21211")]
    [InlineData(TwilioFault.NotMobile, ChannelFailureKind.InvalidRecipient, "21614")]
    [InlineData(TwilioFault.ServerError, ChannelFailureKind.OutcomeUnknown, "20500")]
    public async Task SendAsync_TwilioErrors_MapToChannelFailureKindsWithoutTheNumber(TwilioFault fault, ChannelFailureKind kind, string code)
    {
        var log = new OutboxSenderTests.RecordingLogger<TwilioSmsGateway>();
        await using var provider = Provider(log);
        _server.FailFor(To, fault);

        var ex = await FailingSend(provider.GetRequiredService<ISmsGateway>());

        ex.Kind.Should().Be(kind);
        ex.ProviderCode.Should().Be(code);
        ex.Message.Should().NotContain(To, "a full phone number must never reach an exception message");
        ex.ToString().Should().NotContain(To);
        log.Messages.Should().ContainSingle().Which.Should().NotContain(To);
        _server.CreateRequests.Should().ContainSingle("none of these is retried");
    }

    [Fact]
    public async Task SendAsync_FailForOneRecipient_OthersStillSucceed()
    {
        _server.FailFor(To, TwilioFault.OptedOut);

        await Gateway().SendAsync(Request("+447700900999"));

        _server.SentMessages.Should().ContainSingle().Which.To.Should().Be("+447700900999");
    }

    [Fact]
    public async Task SendAsync_ServerHangs_TimesOutWithOutcomeUnknownAndNoRepeat()
    {
        _server.FailNext(1, TwilioFault.Hang);
        var gateway = Gateway(new Dictionary<string, string?> { ["Twilio:NetworkTimeout"] = "00:00:00.500" });
        var watch = Stopwatch.StartNew();

        var ex = await FailingSend(gateway);

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        ex.Kind.Should().Be(ChannelFailureKind.OutcomeUnknown);
        ex.ProviderCode.Should().BeNull();
        ex.Message.Should().Contain("network timeout");
        _server.CreateRequests.Should().ContainSingle();
    }

    [Fact]
    public async Task SendAsync_CallerCancelsWhileServerHangs_ThrowsOperationCanceled()
    {
        _server.FailNext(1, TwilioFault.Hang);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await FluentActions.Awaiting(() => Gateway().SendAsync(Request(), cts.Token)).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task SendAsync_NothingListening_RetriesAndFailsTransient()
    {
        var gateway = Gateway(new Dictionary<string, string?>
        {
            ["Twilio:BaseUri"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Twilio:MaxRetries"] = "1",
        });

        var ex = await FailingSend(gateway);

        ex.Kind.Should().Be(ChannelFailureKind.Transient, "a refused connection proves nothing was sent");
        ex.Message.Should().Contain("2 attempt(s)");
    }

    [Fact]
    public async Task FindSentAsync_AfterAcceptThenServerError_FindsTheAcceptedMessage()
    {
        var gateway = Gateway();
        _server.FailNext(1, TwilioFault.AcceptThenServerError);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        (await FailingSend(gateway)).IsOutcomeUnknown.Should().BeTrue();

        var found = await gateway.FindSentAsync(To, before).ToListAsync();
        found.Should().ContainSingle().Which.ProviderId.Should().Be(_server.SentMessages.Single().Sid);
    }

    [Fact]
    public async Task FindSentAsync_AfterAcceptThenHang_FindsTheMessageToReconcile()
    {
        var gateway = Gateway(new Dictionary<string, string?> { ["Twilio:NetworkTimeout"] = "00:00:00.500" });
        _server.AddMessage(To, "yesterday's alert", DateTimeOffset.UtcNow.AddHours(-30));
        _server.FailNext(1, TwilioFault.AcceptThenHang);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        (await FailingSend(gateway, new SmsSendRequest(To, "today's alert", "d1"))).IsOutcomeUnknown.Should().BeTrue();
        // On a loaded machine the client may give up before the fake has even stored the message it will accept.
        await Poll.UntilAsync(() => _server.SentMessages.Count == 2, "the fake to accept the message");

        var found = await gateway.FindSentAsync(To, before).ToListAsync();
        found.Should().ContainSingle().Which.Body.Should().Be("today's alert");
    }

    [Fact]
    public async Task FindSentAsync_ManyPages_FollowsNextPageUriNewestFirst()
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 7; i++)
        {
            _server.AddMessage(To, $"m{i}", now.AddMinutes(-i));
        }

        _server.AddMessage("+447700900999", "other recipient", now);
        _server.AddMessage(To, "too old", now.AddDays(-3));

        var messages = await Gateway(new Dictionary<string, string?> { ["Twilio:PageSize"] = "3" }).FindSentAsync(To, now.AddMinutes(-10)).ToListAsync();

        messages.Select(m => m.Body).Should().Equal("m0", "m1", "m2", "m3", "m4", "m5", "m6");
        messages.Should().OnlyContain(m => m.Status == "delivered" && m.CreatedAt != null);
        var lists = _server.Requests.Where(r => r.Method == "GET").ToList();
        lists.Should().HaveCount(3);
        lists[0].QueryValue("To").Should().Be(To);
        lists[0].QueryValue("DateSent>").Should().StartWith(now.AddMinutes(-10).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        lists[0].QueryValue("PageSize").Should().Be("3");
        lists[2].QueryValue("Page").Should().Be("2");
    }

    [Fact]
    public async Task FindSentAsync_ServerErrorThenOk_RetriesReads()
    {
        _server.AddMessage(To, "m", DateTimeOffset.UtcNow);
        _server.FailNextList(2, TwilioFault.ServerError);

        var messages = await Gateway().FindSentAsync(To, DateTimeOffset.UtcNow.AddDays(-1)).ToListAsync();

        messages.Should().ContainSingle();
        _server.Requests.Where(r => r.Method == "GET").Select(r => r.ResponseStatus).Should().Equal(500, 500, 200);
    }

    [Fact]
    public async Task FindSentAsync_NoMessages_IsEmpty() =>
        (await Gateway().FindSentAsync(To, DateTimeOffset.UtcNow).ToListAsync()).Should().BeEmpty();

    [Fact]
    public async Task SendAsync_WithPacing_SpacesSendsBySegments()
    {
        await using var provider = Provider(segmentsPerSecond: 20);
        var gateway = provider.GetRequiredService<ISmsGateway>();
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < 30; i++)
        {
            await gateway.SendAsync(new SmsSendRequest(To, $"m{i}", $"d{i}"));
        }

        // 20 go in the first second's burst, the other 10 need 0.5 s more at 20/s.
        watch.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(450));
        _server.SentMessages.Should().HaveCount(30);
    }

    [Fact]
    public async Task SendAsync_BeforeSend_RunsBeforeEveryAttemptIncludingRetries()
    {
        _server.FailNext(2, TwilioFault.TooManyRequests);
        var requestsSeenByHook = new List<int>();

        await Gateway().SendAsync(Request() with
        {
            BeforeSend = _ =>
            {
                requestsSeenByHook.Add(_server.CreateRequests.Count);
                return Task.CompletedTask;
            },
        });

        requestsSeenByHook.Should().Equal([0, 1, 2], "the pipeline renews an aged claim there, so it must run before each request");
        _server.CreateRequests.Should().HaveCount(3);
    }

    [Fact]
    public async Task SendAsync_BeforeSendThrows_NothingReachesTwilio()
    {
        var gateway = Gateway();

        await FluentActions.Awaiting(() => gateway.SendAsync(Request() with { BeforeSend = _ => throw new InvalidOperationException("claim lost") }))
            .Should().ThrowAsync<InvalidOperationException>();

        _server.CreateRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task SendStatusCallbackAsync_SignsSoTheSdkValidatorAcceptsItOverHttp()
    {
        var validator = new RequestValidator(_server.AuthToken);
        var verdicts = new List<(bool Valid, string Status, string? Ref)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapPost("/api/twilio/status", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var url = $"{request.Scheme}://{request.Host}{request.Path}{request.QueryString}";
            lock (verdicts)
            {
                verdicts.Add((TwilioWebhookSignature.IsValid(validator, url, form, request.Headers[TwilioWebhookSignature.Header]), form["MessageStatus"].ToString(), request.Query["ref"]));
            }

            return Results.NoContent();
        });
        await app.StartAsync();
        var sent = await Gateway().SendAsync(new SmsSendRequest(To, "x", "d1"));
        var callback = new Uri($"{app.Urls.First()}/api/twilio/status?ref=alert-7%2Fsms%2Fk1");

        using var ok = await _server.SendStatusCallbackAsync(callback, sent.ProviderId, "undelivered", errorCode: 30003);
        using var forged = await _server.PostSignedAsync(callback, [new("MessageSid", sent.ProviderId), new("MessageStatus", "delivered")], signatureOverride: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");

        ok.IsSuccessStatusCode.Should().BeTrue();
        verdicts.Should().Equal((true, "undelivered", "alert-7/sms/k1"), (false, "delivered", "alert-7/sms/k1"));
    }
}

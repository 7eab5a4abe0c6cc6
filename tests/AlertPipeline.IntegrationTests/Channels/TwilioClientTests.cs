using System.Diagnostics;
using AlertPipeline.Infrastructure.Twilio;
using AlertPipeline.Testing;

namespace AlertPipeline.IntegrationTests.Channels;

public sealed class TwilioClientTests : IAsyncLifetime
{
    private const string To = "+447700900123";
    private FakeTwilioServer _server = null!;
    private TwilioClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeTwilioServer.StartAsync();
        _client = _server.CreateClient();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static TwilioSendRequest Request(string to = To, string body = "Picket at gate 3, 06:00") =>
        new(to, body, from: FakeTwilioServer.DefaultFrom, statusCallback: new Uri("https://alerts.example.org/api/twilio/status?ref=d1"), validityPeriodSeconds: 600);

    [Fact]
    public async Task SendMessageAsync_Accepted_ReturnsTwilioMessageAndServerSawTheForm()
    {
        var message = await _client.SendMessageAsync(Request());

        message.Sid.Should().MatchRegex("^SM[0-9a-f]{32}$");
        message.Status.Should().Be("queued");
        message.NumSegments.Should().Be(1);
        message.To.Should().Be(To);
        message.DateCreated.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));

        var request = _server.CreateRequests.Should().ContainSingle().Subject;
        request.Authorized.Should().BeTrue();
        request.FormValue("To").Should().Be(To);
        request.FormValue("From").Should().Be(FakeTwilioServer.DefaultFrom);
        request.FormValue("Body").Should().Be("Picket at gate 3, 06:00");
        request.FormValue("StatusCallback").Should().Be("https://alerts.example.org/api/twilio/status?ref=d1");
        request.FormValue("ValidityPeriod").Should().Be("600");
        _server.SentMessages.Should().ContainSingle(m => m.Sid == message.Sid);
    }

    [Fact]
    public async Task SendMessageAsync_CyrillicLongBody_ArrivesIntactAndCountsSegments()
    {
        var body = string.Concat(Enumerable.Repeat("Забастовка завтра. ", 5)); // 95 UCS-2 characters: 2 segments

        var message = await _client.SendMessageAsync(Request(body: body));

        _server.SentMessages.Single().Body.Should().Be(body);
        message.NumSegments.Should().Be(2);
    }

    [Fact]
    public async Task SendMessageAsync_MessagingService_IsAccepted()
    {
        const string service = "MG0123456789abcdef0123456789abcdef";

        var message = await _client.SendMessageAsync(new TwilioSendRequest(To, "hi", messagingServiceSid: service));

        message.Status.Should().Be("accepted");
        _server.CreateRequests.Single().FormValue("MessagingServiceSid").Should().Be(service);
        _server.CreateRequests.Single().FormValue("From").Should().BeNull();
    }

    [Fact]
    public async Task SendMessageAsync_WrongAuthToken_ThrowsAuthenticationWithoutRetry()
    {
        var client = _server.CreateClient(authToken: "wrong-token");

        var ex = (await FluentActions.Awaiting(() => client.SendMessageAsync(Request())).Should().ThrowAsync<TwilioApiException>()).Which;

        ex.Status.Should().Be(401);
        ex.TwilioCode.Should().Be(20003);
        ex.Kind.Should().Be(TwilioErrorKind.Authentication);
        ex.IsPermanent.Should().BeTrue();
        _server.Requests.Should().ContainSingle().Which.Authorized.Should().BeFalse();
        _server.SentMessages.Should().BeEmpty();
    }

    [Fact]
    public async Task SendMessageAsync_TooManyRequestsTwice_RetriesThenSucceeds()
    {
        _server.FailNext(2, TwilioFault.TooManyRequests);

        var message = await _client.SendMessageAsync(Request());

        _server.CreateRequests.Select(r => r.ResponseStatus).Should().Equal(429, 429, 201);
        _server.SentMessages.Should().ContainSingle(m => m.Sid == message.Sid);
    }

    [Fact]
    public async Task SendMessageAsync_TooManyRequestsBeyondRetries_ThrowsRetryable()
    {
        _server.FailNext(10, TwilioFault.TooManyRequests);
        var client = _server.CreateClient(FakeTwilioServer.FastClientOptions(maxRetries: 2));

        var ex = (await FluentActions.Awaiting(() => client.SendMessageAsync(Request())).Should().ThrowAsync<TwilioApiException>()).Which;

        ex.Status.Should().Be(429);
        ex.TwilioCode.Should().Be(20429);
        ex.IsRetryable.Should().BeTrue();
        _server.CreateRequests.Should().HaveCount(3);
    }

    [Fact]
    public async Task SendMessageAsync_ServerError_IsNotRepeatedByDefaultAndReportsOutcomeUnknown()
    {
        _server.FailNext(1, TwilioFault.ServerError);

        var ex = (await FluentActions.Awaiting(() => _client.SendMessageAsync(Request())).Should().ThrowAsync<TwilioApiException>()).Which;

        ex.Status.Should().Be(500);
        ex.IsOutcomeUnknown.Should().BeTrue();
        ex.IsRetryable.Should().BeFalse();
        _server.CreateRequests.Should().ContainSingle("a 500 may hide an accepted message; repeating it could text the member twice");
    }

    [Fact]
    public async Task SendMessageAsync_ServerErrorWithRetryAmbiguousSends_RetriesThenSucceeds()
    {
        _server.FailNext(2, TwilioFault.ServerError);
        var options = FakeTwilioServer.FastClientOptions();
        options.RetryAmbiguousSends = true;
        var client = _server.CreateClient(options);

        var message = await client.SendMessageAsync(Request());

        _server.CreateRequests.Select(r => r.ResponseStatus).Should().Equal(500, 500, 201);
        message.Sid.Should().Be(_server.SentMessages.Single().Sid);
    }

    [Fact]
    public async Task SendMessageAsync_AcceptedThenServerError_CanBeReconciledFromTheList()
    {
        _server.FailNext(1, TwilioFault.AcceptThenServerError);
        var before = DateTimeOffset.UtcNow;

        var ex = (await FluentActions.Awaiting(() => _client.SendMessageAsync(Request())).Should().ThrowAsync<TwilioApiException>()).Which;
        ex.IsOutcomeUnknown.Should().BeTrue();

        var found = await _client.ListMessagesAsync(To, before).ToListAsync();
        found.Should().ContainSingle().Which.Sid.Should().Be(_server.SentMessages.Single().Sid);
    }

    [Theory]
    [InlineData(TwilioFault.InvalidTo, 21211, TwilioErrorKind.InvalidRecipient)]
    [InlineData(TwilioFault.NotMobile, 21614, TwilioErrorKind.InvalidRecipient)]
    [InlineData(TwilioFault.OptedOut, 21610, TwilioErrorKind.OptedOut)]
    public async Task SendMessageAsync_PermanentRecipientErrors_AreNotRetriedAndTyped(TwilioFault fault, int code, TwilioErrorKind kind)
    {
        _server.FailFor(To, fault);

        var ex = (await FluentActions.Awaiting(() => _client.SendMessageAsync(Request())).Should().ThrowAsync<TwilioApiException>()).Which;

        ex.Status.Should().Be(400);
        ex.TwilioCode.Should().Be(code);
        ex.ErrorCode.Should().Be(code.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ex.Kind.Should().Be(kind);
        ex.IsPermanent.Should().BeTrue();
        ex.IsOptedOut.Should().Be(fault == TwilioFault.OptedOut);
        ex.Message.Should().NotContain(To, "a full phone number must never reach an exception message");
        _server.CreateRequests.Should().ContainSingle();
    }

    [Fact]
    public async Task SendMessageAsync_FailForOneRecipient_OthersStillSucceed()
    {
        _server.FailFor(To, TwilioFault.OptedOut);

        await _client.SendMessageAsync(Request("+447700900999"));

        _server.SentMessages.Should().ContainSingle().Which.To.Should().Be("+447700900999");
    }

    [Fact]
    public async Task SendMessageAsync_ServerHangs_TimesOutWithOutcomeUnknownAndNoRepeat()
    {
        _server.FailNext(1, TwilioFault.Hang);
        var client = _server.CreateClient(FakeTwilioServer.FastClientOptions(networkTimeout: TimeSpan.FromMilliseconds(500)));
        var watch = Stopwatch.StartNew();

        var ex = (await FluentActions.Awaiting(() => client.SendMessageAsync(Request())).Should().ThrowAsync<TwilioApiException>()).Which;

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        ex.Status.Should().Be(0);
        ex.IsOutcomeUnknown.Should().BeTrue();
        ex.Message.Should().Contain("network timeout");
        _server.CreateRequests.Should().ContainSingle();
    }

    [Fact]
    public async Task SendMessageAsync_CallerCancelsWhileServerHangs_ThrowsOperationCanceled()
    {
        _server.FailNext(1, TwilioFault.Hang);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await FluentActions.Awaiting(() => _client.SendMessageAsync(Request(), cts.Token)).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task SendMessageAsync_NothingListening_RetriesAndThrowsTransient()
    {
        var port = FreePort.Next();
        var client = new TwilioClient(new Uri($"http://127.0.0.1:{port}"), _server.Credential, FakeTwilioServer.FastClientOptions(maxRetries: 1));

        var ex = (await FluentActions.Awaiting(() => client.SendMessageAsync(Request())).Should().ThrowAsync<TwilioApiException>()).Which;

        ex.Status.Should().Be(0);
        ex.Kind.Should().Be(TwilioErrorKind.Transient, "a refused connection proves nothing was sent");
        ex.Message.Should().Contain("2 attempt(s)");
    }

    [Fact]
    public async Task ListMessagesAsync_ManyPages_FollowsNextPageUriNewestFirst()
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 7; i++)
        {
            _server.AddMessage(To, $"m{i}", now.AddMinutes(-i));
        }

        _server.AddMessage("+447700900999", "other recipient", now);
        _server.AddMessage(To, "too old", now.AddDays(-3));
        var options = FakeTwilioServer.FastClientOptions();
        options.PageSize = 3;

        var messages = await _server.CreateClient(options).ListMessagesAsync(To, now.AddDays(-1)).ToListAsync();

        messages.Select(m => m.Body).Should().Equal("m0", "m1", "m2", "m3", "m4", "m5", "m6");
        messages.Should().OnlyContain(m => m.Status == "delivered" && m.DateSent != null);
        var lists = _server.Requests.Where(r => r.Method == "GET").ToList();
        lists.Should().HaveCount(3);
        lists[0].QueryValue("To").Should().Be(To);
        lists[0].QueryValue("DateSent>").Should().Be(now.AddDays(-1).UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        lists[0].QueryValue("PageSize").Should().Be("3");
        lists[2].QueryValue("Page").Should().Be("2");
    }

    [Fact]
    public async Task ListMessagesAsync_ServerErrorThenOk_RetriesReads()
    {
        _server.AddMessage(To, "m", DateTimeOffset.UtcNow);
        _server.FailNextList(2, TwilioFault.ServerError);

        var messages = await _client.ListMessagesAsync(To, DateTimeOffset.UtcNow.AddDays(-1)).ToListAsync();

        messages.Should().ContainSingle();
        _server.Requests.Where(r => r.Method == "GET").Select(r => r.ResponseStatus).Should().Equal(500, 500, 200);
    }

    [Fact]
    public async Task ListMessagesAsync_NoMessages_IsEmpty() =>
        (await _client.ListMessagesAsync(To, DateTimeOffset.UtcNow).ToListAsync()).Should().BeEmpty();
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Email;
using AlertPipeline.Testing;
using AlertPipeline.Testing.Faults;

namespace AlertPipeline.IntegrationTests.Faults;

/// <summary>
/// The fault harness's injectors (docs/reliability.md) do what they claim, against the real sender and the real
/// aiosmtpd sink: the SMTP proxy's refusals and cuts before the data reach the sender as transient failures (so the
/// pipeline retries them), a cut after the data as an unknown outcome (the message is stored; the pipeline never re-sends it); the fake Twilio's fault schedule answers storms
/// and slow answers.
/// </summary>
public sealed class FaultInjectionTests : IAsyncLifetime
{
    private SmtpSink _sink = null!;
    private SmtpFaultProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _sink = await SmtpSink.StartAsync();
        _proxy = SmtpFaultProxy.Start(_sink.Port);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _sink.DisposeAsync();
    }

    private SmtpEmailSender Sender() => _sink.Sender(TimeSpan.FromSeconds(10), _proxy.Port);

    private static EmailSendRequest Request(string reference) => new("member@example.org", "Picket tomorrow", "Gate 3 at 06:00.", reference);

    [Fact]
    public async Task SmtpProxy_WithoutFault_RelaysTheMessageToTheSink()
    {
        await Sender().SendAsync(Request("d-pass"));

        var message = (await _sink.WaitForMessagesAsync(1)).Single();
        message.Header(SmtpEmailSender.DeliveryHeader).Should().Be("d-pass");
        _proxy.Counts.Should().Contain(SmtpFault.None, 1);
    }

    [Theory]
    [InlineData(SmtpFault.Refuse)]
    [InlineData(SmtpFault.DropAtConnect)]
    [InlineData(SmtpFault.DropBeforeData)]
    public async Task SmtpProxy_RefusedOrCutBeforeTheData_SenderSeesATransientFailureAndNothingIsStored(SmtpFault fault)
    {
        _proxy.Schedule = () => fault;

        var act = () => Sender().SendAsync(Request("d-" + fault));

        (await act.Should().ThrowAsync<EmailSendException>()).Which.Kind.Should().Be(ChannelFailureKind.Transient, "a refusal or a cut connection is worth retrying");
        _proxy.Schedule = () => SmtpFault.None;
        await Sender().SendAsync(Request("d-after"));
        (await _sink.WaitForMessagesAsync(1)).Select(m => m.Header(SmtpEmailSender.DeliveryHeader)).Should().Equal("d-after");
        _proxy.Counts.Should().Contain(fault, 1);
    }

    [Fact]
    public async Task SmtpProxy_CutAfterTheData_MessageIsStoredAndTheSenderSeesAnUnknownOutcome()
    {
        _proxy.Schedule = () => SmtpFault.DropAfterData;

        var act = () => Sender().SendAsync(Request("d-unknown"));

        (await act.Should().ThrowAsync<EmailSendException>()).Which.Kind.Should().Be(ChannelFailureKind.OutcomeUnknown, "the whole message was written; only the reply was lost");
        (await _sink.ReadMessagesAsync()).Should().ContainSingle("the proxy cut the client only once the server had answered the end of data")
            .Which.Header(SmtpEmailSender.DeliveryHeader).Should().Be("d-unknown", "the server had the whole message; only its answer was lost");
        _proxy.Cuts.Should().ContainSingle().Which.Should().Match<SmtpCut>(c => c.Fault == SmtpFault.DropAfterData && c.Reference == "d-unknown" && c.ServerReply!.StartsWith("250"));
    }

    [Fact]
    public async Task SmtpProxy_ManyCutsAfterTheDataAtOnce_TheSinkHasEveryMessageTheProxyCut()
    {
        _proxy.Schedule = () => SmtpFault.DropAfterData;
        var references = Enumerable.Range(0, 24).Select(i => $"alert-1~email~cut-{i:00}").ToList();

        var kinds = await Task.WhenAll(references.Select(async r =>
        {
            try
            {
                await Sender().SendAsync(Request(r));
                return (ChannelFailureKind?)null;
            }
            catch (EmailSendException ex)
            {
                return ex.Kind;
            }
        }));

        kinds.Should().AllBeEquivalentTo(ChannelFailureKind.OutcomeUnknown);
        _proxy.Cuts.Select(c => c.Reference).Should().BeEquivalentTo(references, "the proxy names the delivery of every session it cut");
        _proxy.Cuts.Should().OnlyContain(c => c.Fault == SmtpFault.DropAfterData && c.ServerReply != null && c.ServerReply.StartsWith("250"));
        (await _sink.ReadMessagesAsync()).Select(m => m.Header(SmtpEmailSender.DeliveryHeader)).Should().BeEquivalentTo(
            references, "every cut came after the server's 250, so the sink stored every one before its sender saw the cut");
    }

    [Fact]
    public async Task SmtpProxy_ClientResetsRightAfterItsEndOfData_TheServerStillAnswersAndKeepsTheMessage()
    {
        // A sender killed just after writing the end of data: its socket resets before the server's answer.
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, _proxy.Port);
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            async Task SayAsync(string line, string expect)
            {
                if (line.Length > 0)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
                }

                string? reply;
                do
                {
                    reply = await reader.ReadLineAsync();
                }
                while (reply is not null && reply.Length > 3 && reply[3] == '-');
                reply.Should().StartWith(expect, "the dialogue before the data goes through");
            }

            await SayAsync(string.Empty, "220");
            await SayAsync("EHLO sender.example", "250");
            await SayAsync("MAIL FROM:<alerts@union.example>", "250");
            await SayAsync("RCPT TO:<member@example.org>", "250");
            await SayAsync("DATA", "354");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                "From: alerts@union.example\r\nTo: member@example.org\r\nSubject: s\r\nX-AlertPipeline-Delivery: alert-1~email~killed\r\n\r\nbody\r\n.\r\n"));
            client.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0); // the kernel resets a killed process's socket
        }

        (await _sink.WaitForMessagesAsync(1)).Should().ContainSingle().Which.Header(SmtpEmailSender.DeliveryHeader).Should().Be("alert-1~email~killed");
        await Poll.UntilAsync(() => _proxy.Cuts.Count == 1, "the proxy to log the session");
        _proxy.Cuts.Single().Should().Match<SmtpCut>(c => c.Fault == SmtpFault.None && c.Reference == "alert-1~email~killed" && c.ServerReply!.StartsWith("250"));
    }

    [Theory]
    [InlineData(SmtpFault.Refuse)]
    [InlineData(SmtpFault.DropBeforeData)]
    public async Task SmtpProxy_CutBeforeTheData_IsLoggedWithoutAReference(SmtpFault fault)
    {
        _proxy.Schedule = () => fault;

        await FluentActions.Awaiting(() => Sender().SendAsync(Request("d-early"))).Should().ThrowAsync<EmailSendException>();

        _proxy.Cuts.Should().ContainSingle().Which.Should().Match<SmtpCut>(c => c.Fault == fault && c.Reference == null && c.ServerReply == null);
    }

    [Fact]
    public async Task FakeTwilio_FaultSchedule_AnswersItsFaultsThenAccepts()
    {
        await using var twilio = await FakeTwilioServer.StartAsync();
        var faults = new Queue<TwilioFault?>([TwilioFault.TooManyRequests, TwilioFault.ServiceUnavailable, TwilioFault.ServerError, null]);
        twilio.FaultSchedule = () => faults.Dequeue();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await PostMessageAsync(twilio)).StatusCode);
        }

        statuses.Should().Equal(HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable, HttpStatusCode.InternalServerError, HttpStatusCode.Created);
        twilio.SentMessages.Should().ContainSingle("only the unfaulted request is accepted");
    }

    [Fact]
    public async Task FakeTwilio_SlowFault_AcceptsAfterTheDelay()
    {
        await using var twilio = await FakeTwilioServer.StartAsync();
        twilio.SlowResponseDelay = TimeSpan.FromMilliseconds(600);
        twilio.FaultSchedule = () => TwilioFault.Slow;

        var watch = Stopwatch.StartNew();
        var response = await PostMessageAsync(twilio);

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        watch.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(550));
        twilio.SentMessages.Should().ContainSingle();
    }

    [Fact]
    public async Task FakeTwilio_SentCallbackAfter_PostsOneSignedSentCallbackPerMessage_AndCountsOneThatFails()
    {
        await using var twilio = await FakeTwilioServer.StartAsync();
        twilio.SentCallbackAfter = TimeSpan.FromMilliseconds(50);
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/api/twilio/status?ref=r1";

        (await PostMessageAsync(twilio, url)).StatusCode.Should().Be(HttpStatusCode.Created);
        using (var callback = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10)))
        {
            var stream = callback.GetStream();
            var received = new StringBuilder();
            var buffer = new byte[4096];
            while (!received.ToString().Contains("MessageStatus=sent", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                read.Should().BePositive();
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            received.ToString().Should().StartWith("POST /api/twilio/status?ref=r1 ").And.Contain("X-Twilio-Signature: ").And.Contain($"MessageSid={twilio.SentMessages.Single().Sid}");
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
        }

        await Poll.UntilAsync(() => twilio.SentCallbacksAnswered == 1, "the callback to be answered");
        listener.Stop();
        (await PostMessageAsync(twilio, url)).StatusCode.Should().Be(HttpStatusCode.Created);
        await Poll.UntilAsync(() => twilio.SentCallbacksFailed == 1, "the callback to the closed port to fail");
        twilio.SentCallbacksAnswered.Should().Be(1, "a failed callback is not retried");
    }

    private static async Task<HttpResponseMessage> PostMessageAsync(FakeTwilioServer twilio, string? statusCallback = null)
    {
        using var client = new HttpClient { BaseAddress = twilio.BaseUri };
        var form = new List<KeyValuePair<string, string>> { new("To", "+447700900301"), new("From", FakeTwilioServer.DefaultFrom), new("Body", "Picket at 06:00") };
        if (statusCallback is not null)
        {
            form.Add(new("StatusCallback", statusCallback));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/2010-04-01/Accounts/{twilio.AccountSid}/Messages.json")
        {
            Content = new FormUrlEncodedContent(form),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{twilio.AccountSid}:{twilio.AuthToken}")));
        return await client.SendAsync(request);
    }
}

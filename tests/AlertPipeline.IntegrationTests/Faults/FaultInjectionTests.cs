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
        (await _sink.WaitForMessagesAsync(1)).Single().Header(SmtpEmailSender.DeliveryHeader).Should().Be("d-unknown", "the server had the whole message; only its answer was lost");
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

    private static async Task<HttpResponseMessage> PostMessageAsync(FakeTwilioServer twilio)
    {
        using var client = new HttpClient { BaseAddress = twilio.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/2010-04-01/Accounts/{twilio.AccountSid}/Messages.json")
        {
            Content = new FormUrlEncodedContent([new("To", "+447700900301"), new("From", FakeTwilioServer.DefaultFrom), new("Body", "Picket at 06:00")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{twilio.AccountSid}:{twilio.AuthToken}")));
        return await client.SendAsync(request);
    }
}

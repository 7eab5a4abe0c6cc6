using System.Net.Http;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Twilio;
using Twilio.Exceptions;

namespace AlertPipeline.UnitTests.Channels;

/// <summary>How the gateway reads the Twilio SDK's exceptions (docs/channels.md has the table).</summary>
public class TwilioSdkFailureTests
{
    private static SmsSendException Send(Exception exception, bool isSend = true) =>
        TwilioSmsGateway.Classify((TwilioException)exception, isSend, attempts: 1).ToSendException();

    [Theory]
    [InlineData(400, 21610, ChannelFailureKind.OptedOut, "21610")]
    [InlineData(400, 21211, ChannelFailureKind.InvalidRecipient, "21211")]
    [InlineData(400, 21614, ChannelFailureKind.InvalidRecipient, "21614")]
    [InlineData(429, 20429, ChannelFailureKind.Transient, "20429")]
    [InlineData(500, 20500, ChannelFailureKind.OutcomeUnknown, "20500")]
    [InlineData(503, 0, ChannelFailureKind.OutcomeUnknown, "503")]
    [InlineData(401, 20003, ChannelFailureKind.Configuration, "20003")]
    [InlineData(400, 21602, ChannelFailureKind.Permanent, "21602")]
    public void Classify_ApiExceptionOfASend_MapsCodeAndStatus(int status, int code, ChannelFailureKind kind, string providerCode)
    {
        var ex = Send(new ApiException(code, status, "Twilio says no", "https://www.twilio.com/docs/errors/" + code));

        ex.Kind.Should().Be(kind);
        ex.ProviderCode.Should().Be(providerCode);
    }

    [Fact]
    public void Classify_ServerErrorOfARead_IsTransient() =>
        Send(new ApiException(20500, 500, "Internal Server Error", null), isSend: false).Kind.Should().Be(ChannelFailureKind.Transient);

    [Fact]
    public void Classify_MessageQuotingTheNumber_IsMaskedAndTheSdkExceptionNotCarried()
    {
        var ex = Send(new ApiException(21211, 400, "The 'To' number +447700900123 is not a valid phone number.", null));

        ex.Message.Should().NotContain("+447700900123").And.Contain("21211");
        ex.InnerException.Should().BeNull("the SDK's exception quotes the number");
    }

    [Fact]
    public void Classify_UnreadableAnswerToASend_IsOutcomeUnknown()
    {
        var ex = Send(new ApiException("Unexpected character encountered while parsing value"));

        ex.Kind.Should().Be(ChannelFailureKind.OutcomeUnknown);
        ex.Message.Should().Contain("reconcile");
    }

    [Fact]
    public void Classify_ConnectionRefused_IsTransientForASend()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:9)");

        var ex = Send(new ApiConnectionException("Connection Error: POST https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json", refused));

        ex.Kind.Should().Be(ChannelFailureKind.Transient, "nothing reached Twilio");
        ex.InnerException.Should().BeSameAs(refused);
    }

    [Fact]
    public void Classify_TimeoutOfASend_IsOutcomeUnknownWithoutTheUrl()
    {
        var timeout = new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout", new TimeoutException());

        var ex = Send(new ApiConnectionException("Connection Error: GET https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?To=%2B447700900123", timeout));

        ex.Kind.Should().Be(ChannelFailureKind.OutcomeUnknown);
        ex.Message.Should().Contain("network timeout").And.NotContain("447700900123");
    }

    [Theory]
    [InlineData(0.5, null)]
    [InlineData(1, 1)]
    [InlineData(90.9, 90)]
    [InlineData(36000, 36000)]
    [InlineData(86400, 36000)]
    public void ClampValidity_ClampsToTwilioRangeOrNullWhenExpired(double seconds, int? expected) =>
        TwilioSmsGateway.ClampValidity(TimeSpan.FromSeconds(seconds)).Should().Be(expected);
}

using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Channels;
using AlertPipeline.Infrastructure.Twilio;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.UnitTests.Channels;

public class SmsGatewayContractTests
{
    [Theory]
    [InlineData("07700900123")]
    [InlineData("+44 7700 900123")]
    public void SmsSendRequest_NotE164_IsRejectedWithMaskedNumber(string to) =>
        FluentActions.Invoking(() => new SmsSendRequest(to, "x", "d")).Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("E.164").And.NotContain(to);

    [Fact]
    public void SmsSendRequest_ExpiredValidity_IsRejected() =>
        FluentActions.Invoking(() => new SmsSendRequest("+447700900123", "x", "d", TimeSpan.FromMilliseconds(500)))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*expired alert*");

    [Fact]
    public void SmsSendRequest_ToString_MasksNumberAndOmitsBody() =>
        new SmsSendRequest("+447700900123", "meet at the gate", "d").ToString().Should().NotContain("+447700900123").And.NotContain("gate");

    [Theory]
    [InlineData(TwilioErrorKind.Transient, ChannelFailureKind.Transient)]
    [InlineData(TwilioErrorKind.OutcomeUnknown, ChannelFailureKind.OutcomeUnknown)]
    [InlineData(TwilioErrorKind.InvalidRecipient, ChannelFailureKind.InvalidRecipient)]
    [InlineData(TwilioErrorKind.OptedOut, ChannelFailureKind.OptedOut)]
    [InlineData(TwilioErrorKind.Authentication, ChannelFailureKind.Configuration)]
    [InlineData(TwilioErrorKind.Permanent, ChannelFailureKind.Permanent)]
    public void TwilioSmsGateway_MapsEveryTwilioKind(TwilioErrorKind twilio, ChannelFailureKind channel) =>
        TwilioSmsGateway.Map(twilio).Should().Be(channel);

    [Fact]
    public void AddSmsGateway_WithAccountSid_ResolvesTwilio()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Twilio:AccountSid"] = "AC0123456789abcdef0123456789abcdef",
            ["Twilio:AuthToken"] = "token",
            ["Twilio:From"] = "+15005550006",
        }).Build();
        using var provider = new ServiceCollection().AddSmsGateway(configuration).BuildServiceProvider();

        provider.GetRequiredService<ISmsGateway>().Should().BeOfType<TwilioSmsGateway>();
    }

    [Theory]
    [InlineData("hello", 1)]
    [InlineData("", 1)]
    public void SmsSegments_ShortGsm_IsOneSegment(string body, int expected) => SmsSegments.Estimate(body).Should().Be(expected);

    [Fact]
    public void SmsSegments_FollowsGsm7AndUcs2Limits()
    {
        SmsSegments.Estimate(new string('a', 160)).Should().Be(1);
        SmsSegments.Estimate(new string('a', 161)).Should().Be(2);
        SmsSegments.Estimate(new string('a', 306)).Should().Be(2);
        SmsSegments.Estimate(new string('a', 307)).Should().Be(3);
        SmsSegments.Estimate(new string('€', 80)).Should().Be(1, "escape characters cost two septets: 160");
        SmsSegments.Estimate(new string('€', 81)).Should().Be(2);
        SmsSegments.Estimate(new string('ж', 70)).Should().Be(1);
        SmsSegments.Estimate(new string('ж', 71)).Should().Be(2);
        SmsSegments.Estimate(new string('ж', 135)).Should().Be(3);
    }

    [Fact]
    public void FormEncoding_Decode_HandlesPlusPercentAndRepeatedNames()
    {
        FormEncoding.Decode("To=%2B447700900123&Body=a+b%26c&X=1&X=2&Empty=&Flag").Should().Equal(
            new KeyValuePair<string, string>("To", "+447700900123"),
            new KeyValuePair<string, string>("Body", "a b&c"),
            new KeyValuePair<string, string>("X", "1"),
            new KeyValuePair<string, string>("X", "2"),
            new KeyValuePair<string, string>("Empty", ""),
            new KeyValuePair<string, string>("Flag", ""));
    }
}

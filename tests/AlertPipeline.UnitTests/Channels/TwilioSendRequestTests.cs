using AlertPipeline.Infrastructure.Channels;
using AlertPipeline.Infrastructure.Twilio;

namespace AlertPipeline.UnitTests.Channels;

public class TwilioSendRequestTests
{
    private const string Service = "MG0123456789abcdef0123456789abcdef";

    [Fact]
    public void ToFormFields_EncodesPlusSpacesAndUnicode()
    {
        var request = new TwilioSendRequest("+447700900123", "Strike at 6 & bring flags — Забастовка!", from: "+15005550006",
            statusCallback: new Uri("https://alerts.example.org/api/twilio/status?ref=a%2Fb"), validityPeriodSeconds: 3600);

        var encoded = FormEncoding.Encode(request.ToFormFields());

        encoded.Should().StartWith("To=%2B447700900123&From=%2B15005550006&Body=Strike+at+6+%26+bring+flags+");
        encoded.Should().Contain("%D0%97%D0%B0%D0%B1"); // UTF-8 of "Заб"
        encoded.Should().Contain("&StatusCallback=https%3A%2F%2Falerts.example.org%2Fapi%2Ftwilio%2Fstatus%3Fref%3Da%252Fb");
        encoded.Should().EndWith("&ValidityPeriod=3600");
        FormEncoding.Decode(encoded).Should().Equal(request.ToFormFields());
    }

    [Fact]
    public void ToFormFields_MessagingService_SendsServiceSidNotFrom()
    {
        var fields = new TwilioSendRequest("+447700900123", "hi", messagingServiceSid: Service).ToFormFields();

        fields.Select(f => f.Key).Should().Equal("To", "MessagingServiceSid", "Body");
    }

    [Theory]
    [InlineData("07700900123")]
    [InlineData("+0447700900123")]
    [InlineData("+44 7700 900123")]
    [InlineData("+4477009001234567")]
    [InlineData("")]
    public void Constructor_NotE164_ThrowsWithoutTheFullNumber(string to)
    {
        var act = () => new TwilioSendRequest(to, "hi", from: "+15005550006");

        var ex = act.Should().Throw<ArgumentException>().WithMessage("*E.164*").Which;
        if (to.Length > 6)
        {
            ex.Message.Should().NotContain(to);
        }
    }

    [Fact]
    public void Constructor_BodyOver1600_Throws() =>
        FluentActions.Invoking(() => new TwilioSendRequest("+447700900123", new string('a', 1601), from: "+15005550006"))
            .Should().Throw<ArgumentException>().WithMessage("*1601 characters*1600*");

    [Fact]
    public void Constructor_BothOrNeitherSender_Throws()
    {
        FluentActions.Invoking(() => new TwilioSendRequest("+447700900123", "hi"))
            .Should().Throw<ArgumentException>().WithMessage("*exactly one of From and MessagingServiceSid*");
        FluentActions.Invoking(() => new TwilioSendRequest("+447700900123", "hi", "+15005550006", Service))
            .Should().Throw<ArgumentException>().WithMessage("*exactly one of From and MessagingServiceSid*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(36001)]
    public void Constructor_ValidityOutOfRange_Throws(int seconds) =>
        FluentActions.Invoking(() => new TwilioSendRequest("+447700900123", "hi", from: "+15005550006", validityPeriodSeconds: seconds))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*1..36000*");

    [Theory]
    [InlineData(0.5, null)]
    [InlineData(1, 1)]
    [InlineData(90.9, 90)]
    [InlineData(36000, 36000)]
    [InlineData(86400, 36000)]
    public void ClampValidity_ClampsToTwilioRangeOrNullWhenExpired(double seconds, int? expected) =>
        TwilioSendRequest.ClampValidity(TimeSpan.FromSeconds(seconds)).Should().Be(expected);

    [Fact]
    public void ToString_MasksRecipientAndOmitsBody()
    {
        var text = new TwilioSendRequest("+447700900123", "secret meeting place", from: "+15005550006").ToString();

        text.Should().NotContain("+447700900123").And.NotContain("secret").And.Contain("+44********23");
    }
}

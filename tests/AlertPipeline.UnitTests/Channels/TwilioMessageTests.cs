using System.Text.Json;
using AlertPipeline.Infrastructure.Twilio;

namespace AlertPipeline.UnitTests.Channels;

public class TwilioMessageTests
{
    [Fact]
    public void FromJson_TwilioCreateResponse_ParsesStringNumbersAndRfc2822Dates()
    {
        const string json = """
            {"sid":"SM0123456789abcdef0123456789abcdef","status":"queued","error_code":null,"error_message":null,
             "num_segments":"3","to":"+447700900123","from":"+15005550006","messaging_service_sid":null,"body":"hello",
             "date_created":"Thu, 30 Jul 2015 20:12:31 +0000","date_sent":null,"price":"-0.00750","price_unit":"USD"}
            """;

        var message = TwilioMessage.FromJson(JsonDocument.Parse(json).RootElement);

        message.Sid.Should().Be("SM0123456789abcdef0123456789abcdef");
        message.Status.Should().Be("queued");
        message.NumSegments.Should().Be(3);
        message.ErrorCode.Should().BeNull();
        message.DateCreated.Should().Be(new DateTimeOffset(2015, 7, 30, 20, 12, 31, TimeSpan.Zero));
        message.DateSent.Should().BeNull();
        message.Price.Should().Be(-0.0075m);
        message.ToString().Should().NotContain("+447700900123").And.NotContain("hello");
    }

    [Fact]
    public void FromJson_ErrorCodeAsNumber_IsRead()
    {
        var message = TwilioMessage.FromJson(JsonDocument.Parse("""{"sid":"SM1","status":"undelivered","error_code":30003,"num_segments":1}""").RootElement);

        message.ErrorCode.Should().Be(30003);
        message.NumSegments.Should().Be(1);
    }

    [Fact]
    public void FromJson_NoSid_Throws() =>
        FluentActions.Invoking(() => TwilioMessage.FromJson(JsonDocument.Parse("""{"status":"queued"}""").RootElement))
            .Should().Throw<FormatException>().WithMessage("*sid*");

    [Theory]
    [InlineData("Mon, 05 Feb 2024 09:03:00 -0500", 2024, 2, 5, 9, 3, -5)]
    [InlineData("Sat, 1 Jun 2024 23:59:59 +0330", 2024, 6, 1, 23, 59, 3.5)]
    public void ParseRfc2822_ReadsOffsets(string text, int y, int mo, int d, int h, int mi, double offsetHours) =>
        TwilioMessage.ParseRfc2822(text).Should().Be(new DateTimeOffset(y, mo, d, h, mi, text.Contains(":59 ") ? 59 : 0, TimeSpan.FromHours(offsetHours)));
}

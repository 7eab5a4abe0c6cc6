using AlertPipeline.Infrastructure.Storage.Queues;

namespace AlertPipeline.UnitTests.Storage.Queues;

public class QueueMessageCodecTests
{
    // python3 -c "import base64;print(base64.b64encode('Ереуіл: Қазақстан'.encode()).decode())"
    private const string KazakhText = "Ереуіл: Қазақстан";
    private const string KazakhBase64 = "0JXRgNC10YPRltC7OiDSmtCw0LfQsNKb0YHRgtCw0L0=";

    [Fact]
    public void Encode_Base64_IsBase64OfUtf8()
    {
        QueueMessageCodec.Encode(KazakhText, QueueMessageEncoding.Base64, "text").Should().Be(KazakhBase64);
    }

    [Fact]
    public void Encode_None_IsTheTextItself()
    {
        QueueMessageCodec.Encode(KazakhText, QueueMessageEncoding.None, "text").Should().Be(KazakhText);
    }

    [Fact]
    public void Decode_Base64_GivesTheText()
    {
        QueueMessageCodec.Decode(KazakhBase64, QueueMessageEncoding.Base64).Should().Be(KazakhText);
        QueueMessageCodec.Decode("", QueueMessageEncoding.Base64).Should().BeEmpty();
    }

    [Theory]
    [InlineData("{\"json\":true}", "not valid base64")]
    [InlineData("abc", "not valid base64")]
    [InlineData("/w==", "not valid UTF-8")] // the single byte 0xFF
    public void TryDecode_InvalidUnderBase64_IsFalseAndDecodeThrowsFormatException(string wire, string reason)
    {
        QueueMessageCodec.TryDecode(wire, QueueMessageEncoding.Base64, out var body, out var error).Should().BeFalse();
        body.Should().BeEmpty();
        error.Should().Contain(reason);
        var act = () => QueueMessageCodec.Decode(wire, QueueMessageEncoding.Base64);
        act.Should().Throw<FormatException>().WithMessage($"*{reason}*");
    }

    [Fact]
    public void TryDecode_None_AcceptsAnything()
    {
        QueueMessageCodec.TryDecode("{not base64}", QueueMessageEncoding.None, out var body, out _).Should().BeTrue();
        body.Should().Be("{not base64}");
    }

    [Fact]
    public void QueueMessage_BodyAndTryGetBody_UseTheReceivingEncoding()
    {
        var now = DateTimeOffset.UtcNow;
        var asBase64 = new QueueMessage("id", "pop", 1, now, now, now, "plain", QueueMessageEncoding.Base64);
        var asNone = asBase64 with { Encoding = QueueMessageEncoding.None };

        asBase64.TryGetBody(out _).Should().BeFalse();
        var body = () => asBase64.Body;
        body.Should().Throw<FormatException>();
        asNone.TryGetBody(out var text).Should().BeTrue();
        text.Should().Be("plain");
        asBase64.MessageText.Should().Be("plain");
    }

    [Fact]
    public void QueueMessage_ToString_ShowsNeitherTextNorPopReceipt()
    {
        var now = DateTimeOffset.UtcNow;
        var message = new QueueMessage("id-1", "secret-receipt", 1, now, now, now, "+447700900123", QueueMessageEncoding.None);

        message.ToString().Should().Contain("id-1").And.NotContain("+447700900123").And.NotContain("secret-receipt");
    }

    [Fact]
    public void Encode_ExactlyTheLimit_IsAccepted()
    {
        QueueMessageCodec.Encode(new string('a', 65_536), QueueMessageEncoding.None, "text").Should().HaveLength(65_536);
        // 49,152 bytes encode to exactly 65,536 base64 characters.
        QueueMessageCodec.Encode(new string('a', 49_152), QueueMessageEncoding.Base64, "text").Should().HaveLength(65_536);
    }

    [Theory]
    [InlineData(QueueMessageEncoding.None, 65_537, "65,537")]
    [InlineData(QueueMessageEncoding.Base64, 49_153, "65,540")]
    public void Encode_OverTheLimit_ThrowsNamingTheSize(QueueMessageEncoding encoding, int length, string size)
    {
        var act = () => QueueMessageCodec.Encode(new string('a', length), encoding, "messageText");

        act.Should().Throw<ArgumentException>()
            .WithMessage($"The message is {size} bytes once encoded ({encoding}); the Queue service accepts at most 65,536 bytes.*")
            .Which.ParamName.Should().Be("messageText");
    }

    [Fact]
    public void Encode_LimitCountsUtf8BytesNotCharacters()
    {
        // 32,769 Kazakh letters are fewer than 65,536 characters but 65,538 UTF-8 bytes.
        var act = () => QueueMessageCodec.Encode(new string('Қ', 32_769), QueueMessageEncoding.None, "messageText");

        act.Should().Throw<ArgumentException>().WithMessage("*65,538 bytes*");
    }

    [Fact]
    public void Encode_NoneWithCharacterXmlCannotCarry_ThrowsNamingIt()
    {
        var act = () => QueueMessageCodec.Encode("bell\u0007", QueueMessageEncoding.None, "messageText");

        act.Should().Throw<ArgumentException>().WithMessage("*U+0007 at index 4*Base64*");
        QueueMessageCodec.Encode("bell\u0007", QueueMessageEncoding.Base64, "messageText").Should().Be("YmVsbAc=");
    }

    [Fact]
    public void Encode_UnpairedSurrogate_ThrowsUnderBase64()
    {
        var act = () => QueueMessageCodec.Encode("a\ud800b", QueueMessageEncoding.Base64, "messageText");

        act.Should().Throw<ArgumentException>().WithMessage("*surrogate*");
    }

    [Fact]
    public void EscapeXml_EscapesMarkupQuotesAndCarriageReturn()
    {
        QueueMessageCodec.EscapeXml("<a href=\"x\">'T' & C</a>\r\n🚩")
            .Should().Be("&lt;a href=&quot;x&quot;&gt;&apos;T&apos; &amp; C&lt;/a&gt;&#xD;\n🚩");
        QueueMessageCodec.EscapeXml("plain").Should().Be("plain");
    }
}

using AlertPipeline.LocalHost;

namespace AlertPipeline.UnitTests.LocalHost;

public sealed class RedactionTests
{
    [Theory]
    [InlineData("send to +447700900123 failed", "send to *** failed")]
    [InlineData("number 07700 900 123 invalid", "number *** invalid")]
    [InlineData("call (020) 7946-0958", "call (***")]
    [InlineData("contact +44 7700 900123 / member@example.org", "contact *** / ***@***")]
    [InlineData("us 202.555.0123 today", "us *** today")]
    [InlineData("tel:+447700900123", "tel:***")]
    [InlineData("phone=07700900123;", "phone=***;")]
    [InlineData("bounce for jane.doe@example.org", "bounce for ***@***")]
    [InlineData("<first.last+tag@mail.example.co.uk>", "<***@***>")]
    public void Mask_PhoneNumbersAndEmails_Masked(string text, string expected) =>
        Redaction.Mask(text).Should().Be(expected);

    [Theory]
    [InlineData("attempt 2 is below succeedOnAttempt 3.")]
    [InlineData("count must be 0..1000, not 5000.")]
    [InlineData("message 3f2a1b4c-1234-5678-9abc-def012345678 completed")]
    [InlineData("message 0c8e5d60-9f1a-4b6e-8d2a-1234567890ab (dequeue count 2)")]
    [InlineData("inserted at 2026-12-04T14:27:01.1234567+00:00")]
    [InlineData("inserted at 2026-12-04 14:27:01Z on 2026-12-04")]
    [InlineData("pop receipt AgAAAAMAAAAAAAAA1234567AAAAA== renewed")]
    [InlineData("Twilio SID SM0123456789abcdef0123456789abcdef queued")]
    [InlineData("alert evt-20261204-0001234 fanned out")]
    [InlineData("row 1234567_0001 written")]
    [InlineData("in 12345 ms, version 4.1037.0")]
    [InlineData("Function@v2 loaded")]
    public void Mask_IdsTimestampsAndNumbers_Kept(string text) =>
        Redaction.Mask(text).Should().Be(text);

    [Fact]
    public void Mask_LongText_Clipped() =>
        Redaction.Mask(new string('a', 2000)).Should().HaveLength(Redaction.MaxLength + 1).And.EndWith("…");

    [Fact]
    public void Mask_NullOrEmpty_Empty()
    {
        Redaction.Mask(null).Should().BeEmpty();
        Redaction.Mask(string.Empty).Should().BeEmpty();
    }
}

using AlertPipeline.LocalHost;

namespace AlertPipeline.UnitTests.LocalHost;

public sealed class RedactionTests
{
    [Theory]
    [InlineData("send to +447700900123 failed", "send to *** failed")]
    [InlineData("number 07700 900 123 invalid", "number *** invalid")]
    [InlineData("call (020) 7946-0958", "call (***")]
    [InlineData("bounce for jane.doe@example.org", "bounce for ***@***")]
    [InlineData("attempt 2 is below succeedOnAttempt 3.", "attempt 2 is below succeedOnAttempt 3.")]
    [InlineData("count must be 0..1000, not 5000.", "count must be 0..1000, not 5000.")]
    public void Mask_PhoneNumbersAndEmails_Masked(string text, string expected) =>
        Redaction.Mask(text).Should().Be(expected);

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

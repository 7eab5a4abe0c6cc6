using AlertPipeline.Core.Common;
using AlertPipeline.Infrastructure.Channels;

namespace AlertPipeline.UnitTests.Channels;

public class RedactTests
{
    [Theory]
    [InlineData("+447700900123", "+44********23")]
    [InlineData("07700900123", "07*******23")]
    [InlineData("123456", "******")]
    [InlineData("123", "***")]
    [InlineData(null, "<none>")]
    public void Phone_KeepsOnlyPrefixAndLastTwoDigits(string? phone, string expected) => Redact.Phone(phone).Should().Be(expected);

    [Theory]
    [InlineData("jane.doe@example.org", "j***@e***.org")]
    [InlineData("a@b", "a***@***")]
    [InlineData("not-an-email", "***")]
    public void Email_KeepsFirstLetterAndTopLevelDomain(string email, string expected) => Redact.Email(email).Should().Be(expected);

    [Fact]
    public void PersonalDataIn_MasksNumbersAndAddressesInProviderText()
    {
        var text = Redact.PersonalDataIn("The 'To' number +15005550001 is not valid; mailbox jane@example.org unavailable");

        text.Should().NotContain("15005550001").And.NotContain("jane@example.org");
        text.Should().Contain("+15*******01").And.Contain("j***@e***.org");
    }
}

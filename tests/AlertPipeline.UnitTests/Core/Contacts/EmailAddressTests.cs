using AlertPipeline.Core.Contacts;

namespace AlertPipeline.UnitTests.Core.Contacts;

public class EmailAddressTests
{
    [Theory]
    [InlineData("jane@example.org", "jane@example.org")]
    [InlineData("  Jane.Doe@Example.ORG ", "Jane.Doe@example.org")]
    [InlineData("a+tag@mail.example.kz", "a+tag@mail.example.kz")]
    [InlineData("o'neil@example.co.uk", "o'neil@example.co.uk")]
    [InlineData("x@пример.рф", "x@xn--e1afmkfd.xn--p1ai")]
    public void Parse_Valid_NormalisesDomain(string input, string expected)
    {
        EmailAddress.Parse(input).Value.Should().Be(expected);
    }

    [Theory]
    [InlineData(null, EmailAddressError.Empty)]
    [InlineData("   ", EmailAddressError.Empty)]
    [InlineData("jane.example.org", EmailAddressError.MissingOrExtraAt)]
    [InlineData("jane@doe@example.org", EmailAddressError.MissingOrExtraAt)]
    [InlineData("@example.org", EmailAddressError.InvalidLocalPart)]
    [InlineData(".jane@example.org", EmailAddressError.InvalidLocalPart)]
    [InlineData("jane.@example.org", EmailAddressError.InvalidLocalPart)]
    [InlineData("ja..ne@example.org", EmailAddressError.InvalidLocalPart)]
    [InlineData("ja ne@example.org", EmailAddressError.InvalidLocalPart)]
    [InlineData("жанна@example.org", EmailAddressError.InvalidLocalPart)]
    [InlineData("jane@", EmailAddressError.InvalidDomain)]
    [InlineData("jane@localhost", EmailAddressError.InvalidDomain)]
    [InlineData("jane@example..org", EmailAddressError.InvalidDomain)]
    [InlineData("jane@-example.org", EmailAddressError.InvalidDomain)]
    [InlineData("jane@exa_mple.org", EmailAddressError.InvalidDomain)]
    [InlineData("jane@example.123", EmailAddressError.InvalidDomain)]
    [InlineData("jane@exa mple.org", EmailAddressError.InvalidDomain)]
    public void TryParse_Invalid_ReturnsReason(string? input, EmailAddressError expected)
    {
        EmailAddress.TryParse(input, out var address, out var error).Should().BeFalse();

        address.Should().BeNull();
        error.Should().Be(expected);
    }

    [Fact]
    public void TryParse_LocalPartOver64_IsInvalid()
    {
        EmailAddress.TryParse(new string('a', 65) + "@example.org", out _, out var error).Should().BeFalse();

        error.Should().Be(EmailAddressError.InvalidLocalPart);
    }

    [Fact]
    public void TryParse_Over254Characters_IsTooLong()
    {
        EmailAddress.TryParse("a@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 5)) + ".org", out _, out var error)
            .Should().BeFalse();

        error.Should().Be(EmailAddressError.TooLong);
    }

    [Theory]
    [InlineData("jane@example.org", "j***@example.org")]
    [InlineData("j@example.org", "***@example.org")]
    public void Masked_ShowsFirstLetterAndDomainOnly(string input, string masked)
    {
        EmailAddress.Parse(input).Masked.Should().Be(masked);
    }

    [Fact]
    public void ToString_IsMasked()
    {
        var address = EmailAddress.Parse("jane.doe@example.org");

        address.ToString().Should().Be("j***@example.org");
        $"{address}".Should().NotContain("jane");
    }

    [Fact]
    public void Normalized_LowercasesTheLocalPartToo()
    {
        EmailAddress.Parse("Jane.Doe@Example.org").Normalized.Should().Be("jane.doe@example.org");
    }

    [Fact]
    public void Parse_Invalid_ThrowsFormatExceptionWithoutTheInput()
    {
        var act = () => EmailAddress.Parse("secret-person@@example.org");

        act.Should().Throw<FormatException>().Where(e => !e.Message.Contains("secret", StringComparison.Ordinal));
    }
}

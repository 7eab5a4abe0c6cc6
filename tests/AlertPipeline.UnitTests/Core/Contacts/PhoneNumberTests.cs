using AlertPipeline.Core.Contacts;

namespace AlertPipeline.UnitTests.Core.Contacts;

public class PhoneNumberTests
{
    [Theory]
    [InlineData("07700 900123", "GB", "+447700900123")]
    [InlineData("07700-900-123", "GB", "+447700900123")]
    [InlineData("(07700) 900.123", "GB", "+447700900123")]
    [InlineData("7700 900123", "GB", "+447700900123")]
    [InlineData("+44 7700 900123", "GB", "+447700900123")]
    [InlineData("+44 (0)7700 900123", "GB", "+447700900123")]
    [InlineData("0044 7700 900123", "GB", "+447700900123")]
    [InlineData("447700900123", "GB", "+447700900123")]
    [InlineData("8 701 123 4567", "KZ", "+77011234567")]
    [InlineData("8 (701) 123-45-67", "KZ", "+77011234567")]
    [InlineData("7 701 123 4567", "KZ", "+77011234567")]
    [InlineData("701 123 4567", "KZ", "+77011234567")]
    [InlineData("+7 701 123 45 67", "KZ", "+77011234567")]
    [InlineData("8 10 44 7700 900123", "KZ", "+447700900123")]
    [InlineData("8 912 345 67 89", "RU", "+79123456789")]
    [InlineData("8 800 555 35 35", "RU", "+78005553535")]
    [InlineData("(415) 555-0100", "US", "+14155550100")]
    [InlineData("1 415 555 0100", "US", "+14155550100")]
    [InlineData("011 44 7700 900123", "US", "+447700900123")]
    [InlineData("416-555-0199", "CA", "+14165550199")]
    [InlineData("0151 12345678", "DE", "+4915112345678")]
    [InlineData("030/1234567", "DE", "+49301234567")]
    [InlineData("06 12 34 56 78", "FR", "+33612345678")]
    [InlineData("+33 6 12 34 56 78", null, "+33612345678")]
    [InlineData("0033612345678", null, "+33612345678")]
    [InlineData("+7 701 123 4567", null, "+77011234567")]
    [InlineData("\u00a0+44\u00a07700\u2013900123 ", null, "+447700900123")]
    public void Parse_CommonNotations_GiveE164(string input, string? region, string expected)
    {
        var number = PhoneNumber.Parse(input, region);

        number.E164.Should().Be(expected);
    }

    [Theory]
    [InlineData("+380 67 123 4567", "380", "671234567")]   // Ukraine: 3-digit code
    [InlineData("+90 532 123 4567", "90", "5321234567")]   // Turkey: 2-digit code
    [InlineData("+996 555 123456", "996", "555123456")]    // Kyrgyzstan: 3-digit code
    [InlineData("+1 415 555 0100", "1", "4155550100")]
    public void Parse_International_SplitsCountryCodeByItuStructure(string input, string code, string national)
    {
        var number = PhoneNumber.Parse(input);

        number.CountryCallingCode.Should().Be(code);
        number.NationalNumber.Should().Be(national);
    }

    [Theory]
    [InlineData(null, "GB", PhoneNumberError.Empty)]
    [InlineData("", "GB", PhoneNumberError.Empty)]
    [InlineData(" - ( ) ", "GB", PhoneNumberError.Empty)]
    [InlineData("+", "GB", PhoneNumberError.TooShort)]
    [InlineData("07700 90012a", "GB", PhoneNumberError.InvalidCharacters)]
    [InlineData("07700 900123 code 5", "GB", PhoneNumberError.InvalidCharacters)]
    [InlineData("+44 +7700900123", "GB", PhoneNumberError.InvalidCharacters)]
    [InlineData("0770+0900123", "GB", PhoneNumberError.InvalidCharacters)]
    [InlineData("07700 900123", null, PhoneNumberError.MissingRegion)]
    [InlineData("07700 900123", "XX", PhoneNumberError.UnsupportedRegion)]
    [InlineData("+0 123 456 789", null, PhoneNumberError.InvalidCountryCode)]
    [InlineData("+44 1234", null, PhoneNumberError.TooShort)]
    [InlineData("+380 12345678901234", null, PhoneNumberError.TooLong)]
    [InlineData("+44 7700 90012", null, PhoneNumberError.InvalidLengthForCountry)]
    [InlineData("+44 7700 9001234", null, PhoneNumberError.TooLong)]
    [InlineData("0770 090 012", "GB", PhoneNumberError.InvalidLengthForCountry)]
    [InlineData("8 701 123 456", "KZ", PhoneNumberError.InvalidNationalNumber)]
    [InlineData("+7 701 123 45678", null, PhoneNumberError.InvalidLengthForCountry)]
    [InlineData("+1 015 555 0100", null, PhoneNumberError.InvalidNationalNumber)]
    [InlineData("+33 0 12 34 56 78", null, PhoneNumberError.InvalidNationalNumber)]
    public void TryParse_BadInput_ReturnsReasonWithoutThrowing(string? input, string? region, PhoneNumberError expected)
    {
        var ok = PhoneNumber.TryParse(input, region, out var number, out var error);

        ok.Should().BeFalse();
        number.Should().BeNull();
        error.Should().Be(expected);
    }

    [Fact]
    public void TryParse_Valid_ReturnsNoneError()
    {
        PhoneNumber.TryParse("07700 900123", "gb", out var number, out var error).Should().BeTrue();

        error.Should().Be(PhoneNumberError.None);
        number!.E164.Should().Be("+447700900123");
    }

    [Fact]
    public void Parse_Invalid_ThrowsFormatExceptionThatDoesNotContainTheInput()
    {
        var act = () => PhoneNumber.Parse("+44 7700 90012");

        act.Should().Throw<FormatException>()
            .Where(e => !e.Message.Contains("7700", StringComparison.Ordinal))
            .WithMessage("*wrong number of digits*");
    }

    [Theory]
    [InlineData("+447700900123", "+44******0123")]
    [InlineData("+77011234567", "+7******4567")]
    [InlineData("+33612345678", "+33*****5678")]
    [InlineData("+4930123456", "+49*****456")]
    [InlineData("+380671234567", "+380*****4567")]
    public void Masked_KeepsCountryCodeAndAtMostLastFourDigits(string e164, string masked)
    {
        PhoneNumber.Parse(e164).Masked.Should().Be(masked);
    }

    [Fact]
    public void Masked_ShortNationalNumber_HidesAtLeastFiveDigits()
    {
        var number = PhoneNumber.Parse("+49 301234");   // DE allows 6-digit national numbers

        number.Masked.Should().Be("+49*****4");
    }

    [Fact]
    public void ToString_IsTheMaskedForm_NeverTheFullNumber()
    {
        var number = PhoneNumber.Parse("07700 900123", "GB");

        number.ToString().Should().Be("+44******0123");
        $"{number}".Should().NotContain("900123");
    }

    [Fact]
    public void Equality_SameNumberWrittenDifferently_IsEqual()
    {
        PhoneNumber.Parse("8 701 123 4567", "KZ").Should().Be(PhoneNumber.Parse("+77011234567"));
    }

    [Fact]
    public void SupportedRegions_AreEveryRegionLibphonenumberKnows()
    {
        PhoneNumber.SupportedRegions.Should().Contain(["CA", "DE", "FR", "GB", "KZ", "RU", "US", "UA", "KG", "TR"]);
        PhoneNumber.SupportedRegions.Count.Should().BeGreaterThan(200);
    }

    [Theory]
    [InlineData("+999999999999")] // issue 16: this was imported
    [InlineData("+999 123 456 789")]
    [InlineData("00999 123 456 789")]
    [InlineData("(+999) 123-456-7890")]
    public void TryParse_UnassignedCountryCode_IsInvalidCountryCode(string input)
    {
        PhoneNumber.TryParse(input, null, out var number, out var error).Should().BeFalse();

        number.Should().BeNull();
        error.Should().Be(PhoneNumberError.InvalidCountryCode);
    }

    [Theory]
    [InlineData("٠٧٧٠٠ ٩٠٠١٢٣", "GB")]            // Arabic-Indic
    [InlineData("۰۷۷۰۰ ۹۰۰۱۲۳", "GB")]            // Extended Arabic-Indic (Persian)
    [InlineData("＋４４ ７７００ ９００１２３", null)] // full-width, with full-width plus
    [InlineData("०७७०० ९००१२३", "GB")]            // Devanagari
    public void Parse_DigitsOfAnyScript_AreRead(string input, string? region) =>
        PhoneNumber.Parse(input, region).E164.Should().Be("+447700900123");

    [Theory]
    [InlineData("07700 900123 ext 5", "GB")]
    [InlineData("07700 900123 ext. 5", "GB")]
    [InlineData("+44 7700 900123 x12", null)]
    [InlineData("+44 7700 900123;ext=4", null)]
    [InlineData("+44 7700 900123 #31", null)]
    [InlineData("+44 7700 900123 доб. 7", null)]
    public void TryParse_Extension_IsDroppedAndSaid(string input, string? region)
    {
        PhoneNumber.TryParse(input, region, out var number, out var error, out var extensionDropped).Should().BeTrue();

        error.Should().Be(PhoneNumberError.None);
        number!.E164.Should().Be("+447700900123");
        extensionDropped.Should().BeTrue();
    }

    [Fact]
    public void TryParse_NoExtension_SaysNothingWasDropped()
    {
        PhoneNumber.TryParse("+44 7700 900123", null, out _, out _, out var extensionDropped).Should().BeTrue();

        extensionDropped.Should().BeFalse();
    }

    [Theory]
    [InlineData("+447911123456")] // Guernsey mobile
    [InlineData("+77011234567")]  // Kazakhstan mobile
    [InlineData("+14155550100")]  // NANP's fictional 555-01xx is in assigned area codes
    public void Parse_AssignedNumbers_NeedNoFictionalRange(string input) =>
        PhoneNumber.Parse(input).E164.Should().Be(input);

    [Fact]
    public void Parse_InputLongerThanAnyNumberWithSeparators_IsTooLong()
    {
        PhoneNumber.TryParse(new string(' ', 30) + "07700900123" + new string(' ', 30), "GB", out _, out var error).Should().BeFalse();

        error.Should().Be(PhoneNumberError.TooLong);
    }
}

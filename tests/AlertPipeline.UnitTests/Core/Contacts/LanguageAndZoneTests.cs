using AlertPipeline.Core.Contacts;

namespace AlertPipeline.UnitTests.Core.Contacts;

public class LanguageAndZoneTests
{
    [Theory]
    [InlineData("en", "en", "en")]
    [InlineData("RU", "ru", "ru")]
    [InlineData("kk", "kk", "kk")]
    [InlineData("en-gb", "en-GB", "en")]
    [InlineData("kk_cyrl_kz", "kk-Cyrl-KZ", "kk")]
    [InlineData("es-419", "es-419", "es")]
    [InlineData("de-CH-1996", "de-CH-1996", "de")]
    public void LanguageTag_Parse_NormalisesCase(string input, string value, string primary)
    {
        var tag = LanguageTag.Parse(input);

        tag.Value.Should().Be(value);
        tag.Primary.Should().Be(primary);
    }

    [Theory]
    [InlineData("")]
    [InlineData("e")]
    [InlineData("engl")]
    [InlineData("e1")]
    [InlineData("en-")]
    [InlineData("en-G")]
    [InlineData("en-GB-Latn")]
    [InlineData("en GB")]
    [InlineData("рус")]
    public void LanguageTag_TryParse_Invalid_Fails(string input)
    {
        LanguageTag.TryParse(input, out var tag, out var error).Should().BeFalse();

        tag.Should().BeNull();
        error.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public void LanguageTag_EqualityIsOnNormalisedValue()
    {
        LanguageTag.Parse("EN-gb").Should().Be(LanguageTag.Parse("en-GB"));
        LanguageTag.Parse("en-GB").PrimaryTag.Should().Be(LanguageTag.English);
    }

    [Theory]
    [InlineData("Asia/Aqtau")]
    [InlineData("Asia/Almaty")]
    [InlineData("Europe/London")]
    [InlineData("America/New_York")]
    [InlineData("UTC")]
    public void TimeZoneId_KnownIanaId_Parses(string id)
    {
        var zone = TimeZoneId.Parse(id);

        zone.Id.Should().Be(id);
        zone.Zone.Id.Should().Be(id);
    }

    [Theory]
    [InlineData("Europe/Londn", "unknown time zone 'Europe/Londn'*")]
    [InlineData("europe/london", "*did you mean 'Europe/London'*")]
    [InlineData("", "time zone is empty")]
    [InlineData("+05:00", "unknown time zone*")]
    public void TimeZoneId_Unknown_FailsWithHelpfulMessage(string id, string message)
    {
        TimeZoneId.TryParse(id, out var zone, out var error).Should().BeFalse();

        zone.Should().BeNull();
        error.Should().Match(message);
    }
}

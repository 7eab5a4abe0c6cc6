using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Messaging;

namespace AlertPipeline.UnitTests.Core.Messaging;

public class TemplateSelectorTests
{
    private static MessageTemplate T(string language) => new(LanguageTag.Parse(language), language, null);

    private static string? Pick(string[] available, string? contact, string? campaign) =>
        TemplateSelector.Select(
            available.Select(T).ToList(),
            contact is null ? null : LanguageTag.Parse(contact),
            campaign is null ? null : LanguageTag.Parse(campaign))?.Language.Value;

    [Theory]
    [InlineData(new[] { "en", "ru", "kk" }, "kk", "ru", "kk")]
    [InlineData(new[] { "en", "ru" }, "kk", "ru", "ru")]
    [InlineData(new[] { "en", "de" }, "kk", "ru", "en")]
    [InlineData(new[] { "de", "fr" }, "kk", "ru", "de")]
    [InlineData(new[] { "en", "kk" }, "kk-KZ", null, "kk")]
    [InlineData(new[] { "kk-Cyrl", "en" }, "kk-KZ", null, "kk-Cyrl")]
    [InlineData(new[] { "kk-Latn", "kk", "en" }, "kk-Cyrl", null, "kk")]
    [InlineData(new[] { "en-GB", "en-US" }, "en-US", null, "en-US")]
    [InlineData(new[] { "ru", "en-GB" }, null, null, "en-GB")]
    [InlineData(new[] { "ru" }, null, null, "ru")]
    public void Select_FollowsContactThenCampaignThenEnglishThenFirst(string[] available, string? contact, string? campaign, string expected)
    {
        Pick(available, contact, campaign).Should().Be(expected);
    }

    [Fact]
    public void Select_NoTemplates_IsNull()
    {
        TemplateSelector.Select([], LanguageTag.English, null).Should().BeNull();
    }
}

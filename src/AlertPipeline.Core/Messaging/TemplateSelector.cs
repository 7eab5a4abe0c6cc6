using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Messaging;

/// <summary>
/// Picks the template for a contact. Preference order: the contact's language, then the campaign's default language,
/// then English (<c>en</c>), then the first template listed (so a non-empty list always yields a template and nobody is
/// left without their alert). For each wanted language the match is: the exact tag (<c>kk-KZ</c>), then a template
/// tagged with its primary language (<c>kk</c>), then any template with the same primary language (<c>kk-Cyrl</c>,
/// first listed wins).
/// </summary>
public static class TemplateSelector
{
    /// <summary>The chosen template, or null only when <paramref name="templates"/> is empty.</summary>
    public static MessageTemplate? Select(
        IReadOnlyList<MessageTemplate> templates, LanguageTag? contactLanguage, LanguageTag? campaignDefault)
    {
        ArgumentNullException.ThrowIfNull(templates);
        if (templates.Count == 0)
        {
            return null;
        }

        foreach (var wanted in new[] { contactLanguage, campaignDefault, LanguageTag.English })
        {
            if (wanted is not null && Match(templates, wanted) is { } found)
            {
                return found;
            }
        }

        return templates[0];
    }

    private static MessageTemplate? Match(IReadOnlyList<MessageTemplate> templates, LanguageTag wanted) =>
        templates.FirstOrDefault(t => t.Language == wanted)
        ?? templates.FirstOrDefault(t => t.Language.Value == wanted.Primary)
        ?? templates.FirstOrDefault(t => t.Language.Primary == wanted.Primary);
}

using System.Diagnostics.CodeAnalysis;

namespace AlertPipeline.Core.Contacts;

/// <summary>Identifies a solidarity campaign. Validated once: see <see cref="Slug"/> for the rule (lowercase <c>[a-z0-9-]</c>, 1 to 64 characters).</summary>
public sealed record CampaignId : IParsable<CampaignId>
{
    private CampaignId(string value) => Value = value;

    public string Value { get; }

    /// <summary>Parses <paramref name="value"/> or throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static CampaignId Parse(string value) =>
        TryParse(value, out var id, out var error) ? id : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out CampaignId? id) =>
        TryParse(value, out id, out _);

    public static bool TryParse(
        [NotNullWhen(true)] string? value, [NotNullWhen(true)] out CampaignId? id, [NotNullWhen(false)] out string? error)
    {
        error = Slug.Check(value, "campaign id");
        id = error is null ? new CampaignId(value!) : null;
        return id is not null;
    }

    static CampaignId IParsable<CampaignId>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<CampaignId>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, [MaybeNullWhen(false)] out CampaignId result) =>
        TryParse(s, out result);

    public override string ToString() => Value;
}

using System.Diagnostics.CodeAnalysis;

namespace AlertPipeline.Core.Contacts;

/// <summary>
/// A BCP 47 language tag, restricted to what we use: a 2–3 letter primary language, then optionally a 4-letter script,
/// a 2-letter or 3-digit region, and variants (5–8 characters, or 4 starting with a digit) (<c>en</c>, <c>ru</c>, <c>kk</c>, <c>en-GB</c>,
/// <c>kk-Cyrl-KZ</c>). Parsing accepts any case and <c>_</c> for <c>-</c>, and normalises to the conventional case
/// (<c>kk-Cyrl-KZ</c>); two tags are equal when their normalised values are.
/// </summary>
public sealed record LanguageTag : IParsable<LanguageTag>
{
    public const int MaxLength = 35;

    private LanguageTag(string value, string primary)
    {
        Value = value;
        Primary = primary;
    }

    public static LanguageTag English { get; } = new("en", "en");

    /// <summary>The normalised tag, e.g. <c>kk-Cyrl-KZ</c>.</summary>
    public string Value { get; }

    /// <summary>The lowercase primary language subtag, e.g. <c>kk</c>.</summary>
    public string Primary { get; }

    /// <summary>The tag reduced to its primary language (<c>en-GB</c> → <c>en</c>).</summary>
    public LanguageTag PrimaryTag => Value == Primary ? this : new LanguageTag(Primary, Primary);

    public static LanguageTag Parse(string value) =>
        TryParse(value, out var tag, out var error) ? tag : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out LanguageTag? tag) =>
        TryParse(value, out tag, out _);

    public static bool TryParse(
        [NotNullWhen(true)] string? value, [NotNullWhen(true)] out LanguageTag? tag, [NotNullWhen(false)] out string? error)
    {
        tag = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "language tag is empty";
            return false;
        }

        if (value.Length > MaxLength)
        {
            error = $"language tag is longer than {MaxLength} characters";
            return false;
        }

        var parts = value.Replace('_', '-').Split('-');
        var primary = parts[0];
        if (primary.Length is < 2 or > 3 || !primary.All(char.IsAsciiLetter))
        {
            error = $"language tag '{value}' must start with a 2 or 3 letter language code";
            return false;
        }

        var normalized = new List<string> { primary.ToLowerInvariant() };
        var stage = 0; // 0: script allowed next, 1: region allowed next, 2: only variants
        for (var i = 1; i < parts.Length; i++)
        {
            var part = parts[i];
            if (stage == 0 && part.Length == 4 && part.All(char.IsAsciiLetter))
            {
                normalized.Add(char.ToUpperInvariant(part[0]) + part[1..].ToLowerInvariant());
                stage = 1;
            }
            else if (stage <= 1 && ((part.Length == 2 && part.All(char.IsAsciiLetter)) || (part.Length == 3 && part.All(char.IsAsciiDigit))))
            {
                normalized.Add(part.ToUpperInvariant());
                stage = 2;
            }
            else if (part.All(char.IsAsciiLetterOrDigit) && (part.Length is >= 5 and <= 8 || (part.Length == 4 && char.IsAsciiDigit(part[0]))))
            {
                normalized.Add(part.ToLowerInvariant());
                stage = 2;
            }
            else
            {
                error = $"language tag '{value}' has an invalid subtag '{part}'";
                return false;
            }
        }

        error = null;
        tag = new LanguageTag(string.Join('-', normalized), normalized[0]);
        return true;
    }

    static LanguageTag IParsable<LanguageTag>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<LanguageTag>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, [MaybeNullWhen(false)] out LanguageTag result) =>
        TryParse(s, out result);

    public override string ToString() => Value;
}

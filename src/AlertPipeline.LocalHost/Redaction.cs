using System.Text.RegularExpressions;

namespace AlertPipeline.LocalHost;

/// <summary>
/// Last line of defence for text the host did not write itself (a handler's error reason, its log lines, its console
/// output): anything that looks like a phone number (seven or more digits, possibly spaced) or an email is masked.
/// The handler must never put personal data there in the first place; this only keeps a mistake out of the logs.
/// </summary>
internal static partial class Redaction
{
    /// <summary>The longest piece of foreign text the host logs.</summary>
    public const int MaxLength = 500;

    public static string Mask(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var clipped = text.Length > MaxLength ? text[..MaxLength] + "…" : text;
        var masked = PhoneLike().Replace(clipped, "***");
        return masked.Contains('@', StringComparison.Ordinal) ? EmailLike().Replace(masked, "***@***") : masked;
    }

    [GeneratedRegex(@"\+?\d(?:[ ().-]{0,2}\d){6,}", RegexOptions.CultureInvariant)]
    private static partial Regex PhoneLike();

    [GeneratedRegex(@"[^\s@""'<>(),;:]+@[^\s@""'<>(),;:]+", RegexOptions.CultureInvariant)]
    private static partial Regex EmailLike();
}

using System.Text.RegularExpressions;

namespace AlertPipeline.LocalHost;

/// <summary>
/// Last line of defence for text the host did not write itself (a worker's log lines and error messages, its console
/// output): phone numbers and email addresses are masked, and nothing else. A phone number is a free-standing run of 7 to
/// 15 digits, optionally after '+' and with single spaces, dots, hyphens or brackets between digits; "free-standing" means
/// not glued to a letter, digit, '-' or '_' on either side, so digit runs inside ids (GUIDs, pop receipts, Twilio SIDs) are
/// kept. ISO 8601 dates and times (<c>2026-12-04</c>, <c>2026-12-04T14:27:01.123+00:00</c>) are kept too. An email is
/// <c>local@domain.tld</c>. The app must never log personal data in the first place; this only keeps a mistake out of the logs.
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
        var masked = PhoneLike().Replace(clipped, match => IsoDate().IsMatch(match.Value) || DigitCount(match.Value) > 15 ? match.Value : "***");
        return masked.Contains('@', StringComparison.Ordinal) ? EmailLike().Replace(masked, "***@***") : masked;
    }

    private static int DigitCount(string value) => value.Count(char.IsAsciiDigit);

    // '+'? then a digit, then 6+ more digits each after at most one separator (or ") "), not touching a word character,
    // '-' or '_' at either end, nor continuing a number such as a time's fraction (a digit and '.' or ':' before it).
    [GeneratedRegex(@"(?<![\w+-]|\d[.:])\+?\d(?:(?:[ .-]|\) ?|\()?\d){6,}(?![\w-]|[.:]\d)", RegexOptions.CultureInvariant)]
    private static partial Regex PhoneLike();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex EmailLike();
}

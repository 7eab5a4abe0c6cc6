using System.Text.RegularExpressions;

namespace AlertPipeline.Core.Common;

/// <summary>
/// Masks personal data before it can reach a log line or an exception message. Members can face repression:
/// a full phone number or email address never leaves this process except to the provider that delivers to it.
/// </summary>
public static partial class Redact
{
    /// <summary><c>+447700900123</c> → <c>+44*******23</c>: the country prefix and the last two digits survive.</summary>
    public static string Phone(string? phone)
    {
        if (string.IsNullOrEmpty(phone))
        {
            return "<none>";
        }

        var trimmed = phone.Trim();
        if (trimmed.Length <= 6)
        {
            return new string('*', trimmed.Length);
        }

        var keepStart = trimmed.StartsWith('+') ? 3 : 2;
        keepStart = Math.Min(keepStart, trimmed.Length - 4);
        return string.Concat(trimmed.AsSpan(0, keepStart), new string('*', trimmed.Length - keepStart - 2), trimmed.AsSpan(trimmed.Length - 2));
    }

    /// <summary><c>jane.doe@example.org</c> → <c>j***@e***.org</c>.</summary>
    public static string Email(string? email)
    {
        if (string.IsNullOrEmpty(email))
        {
            return "<none>";
        }

        var at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1)
        {
            return "***";
        }

        var domain = email[(at + 1)..];
        var dot = domain.LastIndexOf('.');
        var maskedDomain = dot > 0 ? $"{domain[0]}***{domain[dot..]}" : "***";
        return $"{email[0]}***@{maskedDomain}";
    }

    /// <summary>Masks every phone-number-like run of digits (6 or more, optionally with a leading +) in free text.</summary>
    public static string PhoneNumbersIn(string? text) =>
        string.IsNullOrEmpty(text) ? string.Empty : PhoneLike().Replace(text, m => Phone(m.Value));

    /// <summary>Masks every email-address-like token in free text.</summary>
    public static string EmailsIn(string? text) =>
        string.IsNullOrEmpty(text) ? string.Empty : EmailLike().Replace(text, m => Email(m.Value));

    /// <summary>Both <see cref="PhoneNumbersIn"/> and <see cref="EmailsIn"/>: for provider error texts that may quote the recipient.</summary>
    public static string PersonalDataIn(string? text) => PhoneNumbersIn(EmailsIn(text));

    /// <summary>
    /// Precise masking for text we did not write (a worker's log line, a span attribute an instrumentation library set):
    /// phone numbers and email addresses become <c>***</c> / <c>***@***</c>, and nothing else. A phone number is a
    /// free-standing run of 7 to 15 digits, optionally after '+' and with single spaces, dots, hyphens or brackets between
    /// digits; "free-standing" means not glued to a letter, digit, '-' or '_' on either side, so digit runs inside ids
    /// (GUIDs, pop receipts, Twilio SIDs, trace ids, recipient hashes) are kept. ISO 8601 dates and times
    /// (<c>2026-12-04</c>, <c>2026-12-04T14:27:01.123+00:00</c>) are kept too. An email is <c>local@domain.tld</c>.
    /// </summary>
    public static string ForeignText(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var masked = FreeStandingPhone().Replace(text, match => IsoDate().IsMatch(match.Value) || match.Value.Count(char.IsAsciiDigit) > 15 ? match.Value : "***");
        return masked.Contains('@', StringComparison.Ordinal) ? StrictEmail().Replace(masked, "***@***") : masked;
    }

    // '+'? then a digit, then 6+ more digits each after at most one separator (or ") "), not touching a word character,
    // '-' or '_' at either end, nor continuing a number such as a time's fraction (a digit and '.' or ':' before it).
    [GeneratedRegex(@"(?<![\w+-]|\d[.:])\+?\d(?:(?:[ .-]|\) ?|\()?\d){6,}(?![\w-]|[.:]\d)", RegexOptions.CultureInvariant)]
    private static partial Regex FreeStandingPhone();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex StrictEmail();

    [GeneratedRegex(@"\+?\d[\d\s\-]{4,}\d")]
    private static partial Regex PhoneLike();

    [GeneratedRegex(@"[^\s<>""'@,;:]+@[^\s<>""'@,;:]+\.[^\s<>""'@,;:]+")]
    private static partial Regex EmailLike();
}

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

    [GeneratedRegex(@"\+?\d[\d\s\-]{4,}\d")]
    private static partial Regex PhoneLike();

    [GeneratedRegex(@"[^\s<>""'@,;:]+@[^\s<>""'@,;:]+\.[^\s<>""'@,;:]+")]
    private static partial Regex EmailLike();
}

using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace AlertPipeline.Core.Contacts;

/// <summary>Why an email address could not be parsed.</summary>
public enum EmailAddressError
{
    None = 0,
    Empty,
    TooLong,

    /// <summary>No <c>@</c>, or more than one (quoted local parts are not supported).</summary>
    MissingOrExtraAt,

    /// <summary>The part before <c>@</c> is empty, longer than 64 characters, has characters outside the RFC 5322
    /// "atext" set (ASCII only) or misplaced dots.</summary>
    InvalidLocalPart,

    /// <summary>The domain is not at least two dot-separated labels of letters, digits and inner hyphens (after IDN
    /// conversion), or its top-level label is numeric.</summary>
    InvalidDomain,

    /// <summary>A label of the domain mixes Latin letters with Cyrillic or Greek ones (<c>exаmple.org</c> with a
    /// Cyrillic <c>а</c>): a keyboard-layout slip that would bounce, or a look-alike domain.</summary>
    MixedScriptDomain,
}

/// <summary>
/// An email address validated once with simple, predictable rules (no <c>System.Net.Mail</c>): an ASCII dot-atom local
/// part and a DNS domain; an internationalised domain is converted to its ASCII (punycode) form, and the domain is
/// lowercased. The local part keeps its case in <see cref="Value"/>; <see cref="Normalized"/> lowercases everything and
/// is what recipient hashes use.
/// <para><see cref="ToString"/> returns <see cref="Masked"/> (<c>j***@example.org</c>), never the full address.</para>
/// </summary>
public sealed record EmailAddress
{
    public const int MaxLength = 254;
    private const int MaxLocalLength = 64;
    private static readonly IdnMapping Idn = new();

    private EmailAddress(string localPart, string domain)
    {
        LocalPart = localPart;
        Domain = domain;
    }

    /// <summary>The part before <c>@</c>, as given. Personal data.</summary>
    public string LocalPart { get; }

    /// <summary>The domain, lowercased ASCII (punycode for internationalised names).</summary>
    public string Domain { get; }

    /// <summary>The address to send to. Personal data: never log it.</summary>
    public string Value => LocalPart + "@" + Domain;

    /// <summary>Lowercased <see cref="Value"/>; the input to recipient hashes, so that case never makes two recipients.</summary>
    public string Normalized => Value.ToLowerInvariant();

    /// <summary>Safe for logs: first character of the local part (when it has two or more), <c>***</c>, and the domain.</summary>
    public string Masked => (LocalPart.Length >= 2 ? LocalPart[..1] : string.Empty) + "***@" + Domain;

    /// <summary>Parses or throws <see cref="FormatException"/> (the message never contains the input).</summary>
    public static EmailAddress Parse(string input) =>
        TryParse(input, out var address, out var error) ? address : throw new FormatException(Describe(error));

    public static bool TryParse(string? input, [NotNullWhen(true)] out EmailAddress? address, out EmailAddressError error)
    {
        address = null;
        error = Check(input?.Trim(), out var local, out var domain);
        if (error == EmailAddressError.None)
        {
            address = new EmailAddress(local!, domain!);
        }

        return address is not null;
    }

    public static string Describe(EmailAddressError error) => error switch
    {
        EmailAddressError.None => "no error",
        EmailAddressError.Empty => "the email address is empty",
        EmailAddressError.TooLong => $"the email address is longer than {MaxLength} characters",
        EmailAddressError.MissingOrExtraAt => "the email address must contain exactly one '@'",
        EmailAddressError.InvalidLocalPart => "the part of the email address before '@' is not valid",
        EmailAddressError.InvalidDomain => "the domain of the email address is not valid",
        EmailAddressError.MixedScriptDomain => "the domain of the email address mixes Latin letters with Cyrillic or Greek ones in one name (a keyboard layout slip?)",
        _ => error.ToString(),
    };

    private static EmailAddressError Check(string? input, out string? local, out string? domain)
    {
        local = domain = null;
        if (string.IsNullOrEmpty(input))
        {
            return EmailAddressError.Empty;
        }

        if (input.Length > MaxLength)
        {
            return EmailAddressError.TooLong;
        }

        var at = input.IndexOf('@', StringComparison.Ordinal);
        if (at < 0 || at != input.LastIndexOf('@'))
        {
            return EmailAddressError.MissingOrExtraAt;
        }

        local = input[..at];
        if (!IsDotAtom(local))
        {
            return EmailAddressError.InvalidLocalPart;
        }

        if (input[(at + 1)..].Split('.').Any(MixesScripts))
        {
            return EmailAddressError.MixedScriptDomain;
        }

        domain = NormalizeDomain(input[(at + 1)..]);
        if (domain is null)
        {
            return EmailAddressError.InvalidDomain;
        }

        return local.Length + 1 + domain.Length > MaxLength ? EmailAddressError.TooLong : EmailAddressError.None;
    }

    private static bool IsDotAtom(string local)
    {
        if (local.Length is 0 or > MaxLocalLength || local[0] == '.' || local[^1] == '.'
            || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.'
                || "!#$%&'*+/=?^_`{|}~-".Contains(c, StringComparison.Ordinal);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether one domain label has Latin letters and Cyrillic or Greek ones.</summary>
    private static bool MixesScripts(string label)
    {
        bool latin = false, other = false;
        foreach (var c in label)
        {
            latin |= char.IsAsciiLetter(c) || c is >= '\u00C0' and <= '\u024F';
            other |= c is >= '\u0370' and <= '\u052F';
        }

        return latin && other;
    }

    private static string? NormalizeDomain(string domain)
    {
        if (domain.Length == 0 || domain.Any(char.IsWhiteSpace) || domain.Any(char.IsControl))
        {
            return null;
        }

        string ascii;
        try
        {
            ascii = Idn.GetAscii(domain).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }

        var labels = ascii.Split('.');
        if (labels.Length < 2 || ascii.Length > 253)
        {
            return null;
        }

        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-'
                || !label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return null;
            }
        }

        return labels[^1].All(char.IsAsciiDigit) ? null : ascii;
    }

    /// <summary>The masked form (<see cref="Masked"/>), never the full address.</summary>
    public override string ToString() => Masked;
}

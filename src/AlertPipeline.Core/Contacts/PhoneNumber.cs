using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace AlertPipeline.Core.Contacts;

/// <summary>
/// A phone number in E.164 form (<c>+</c>, country calling code, national significant number; 8 to 15 digits in all),
/// parsed once from what people type.
/// <para>
/// <see cref="ToString"/> returns <see cref="Masked"/> (e.g. <c>+44******0123</c>) so that logging a number by accident
/// never prints it in full; use <see cref="E164"/> deliberately where the real value is needed (the Twilio <c>To</c>
/// field, hashing).
/// </para>
/// </summary>
/// <remarks>
/// Parsing, in order:
/// <list type="number">
/// <item>Separators are dropped: white space, <c>- . ( ) /</c> and Unicode dashes. Anything else but ASCII digits and
/// one leading <c>+</c> is <see cref="PhoneNumberError.InvalidCharacters"/>.</item>
/// <item><c>+</c>, or an international prefix (<c>00</c>; <c>011</c> in US/CA; <c>810</c> or <c>00</c> in KZ/RU), means
/// the country calling code follows. It is read by the ITU structure (1 and 7 are one digit; a fixed set is two digits;
/// all others three). A trunk <c>0</c> written after the country code, as in <c>+44 (0)7700 900123</c>, is dropped
/// when that makes the length right.</item>
/// <item>Otherwise the number is national and needs a default region: its trunk prefix is dropped (<c>0</c> in GB, DE,
/// FR; <c>8</c> in KZ, RU; <c>1</c> in US, CA) and the region's calling code is put in front. A national number that
/// already starts with the region's calling code (<c>7 701 123 4567</c> in KZ) is accepted too.</item>
/// <item>Lengths are checked: 8 to 15 digits in total, and for the countries in the table their national lengths
/// (GB 10, KZ/RU 10, US/CA 10 not starting with 0 or 1, DE 6 to 13, FR 9). Other countries get only the generic check.</item>
/// </list>
/// </remarks>
public sealed record PhoneNumber
{
    public const int MinDigits = 8;
    public const int MaxDigits = 15;
    private const int MaxInputLength = 64;

    private sealed record Region(
        string Code, string CallingCode, string TrunkPrefix, string[] InternationalPrefixes, int MinNational, int MaxNational);

    private sealed record CountryRule(int MinNational, int MaxNational, string? TrunkPrefix, Func<string, bool>? NationalStartIsValid);

    private static readonly FrozenDictionary<string, Region> Regions = new Region[]
    {
        new("GB", "44", "0", ["00"], 10, 10),
        new("KZ", "7", "8", ["810", "00"], 10, 10),
        new("RU", "7", "8", ["810", "00"], 10, 10),
        new("US", "1", "1", ["011"], 10, 10),
        new("CA", "1", "1", ["011"], 10, 10),
        new("DE", "49", "0", ["00"], 6, 13),
        new("FR", "33", "0", ["00"], 9, 9),
    }.ToFrozenDictionary(r => r.Code, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, CountryRule> Countries = new Dictionary<string, CountryRule>
    {
        ["44"] = new(10, 10, "0", n => n[0] != '0'),
        ["7"] = new(10, 10, null, n => n[0] != '0'),
        ["1"] = new(10, 10, null, n => n[0] is >= '2' and <= '9'),
        ["49"] = new(6, 13, "0", n => n[0] != '0'),
        ["33"] = new(9, 9, "0", n => n[0] != '0'),
    }.ToFrozenDictionary();

    // ITU-T E.164 country calling codes of two digits; 1 and 7 are the only one-digit codes, everything else has three.
    private static readonly FrozenSet<string> TwoDigitCodes = new[]
    {
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
        "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "81", "82", "84",
        "86", "90", "91", "92", "93", "94", "95", "98",
    }.ToFrozenSet();

    private PhoneNumber(string callingCode, string nationalNumber)
    {
        CountryCallingCode = callingCode;
        NationalNumber = nationalNumber;
        E164 = "+" + callingCode + nationalNumber;
    }

    /// <summary>ISO 3166 alpha-2 codes accepted as a default region.</summary>
    public static IReadOnlyCollection<string> SupportedRegions { get; } = Regions.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The full number, e.g. <c>+447700900123</c>. Personal data: never log it.</summary>
    public string E164 { get; }

    /// <summary>The country calling code without <c>+</c>, e.g. <c>44</c>.</summary>
    public string CountryCallingCode { get; }

    /// <summary>The national significant number (no trunk prefix), e.g. <c>7700900123</c>. Personal data.</summary>
    public string NationalNumber { get; }

    /// <summary>
    /// Safe for logs: <c>+</c>, the country code, stars, and at most the last 4 digits (fewer for short national
    /// numbers, so that at least 5 digits are always hidden): <c>+44******0123</c>.
    /// </summary>
    public string Masked
    {
        get
        {
            var shown = Math.Clamp(NationalNumber.Length - 5, 0, 4);
            return "+" + CountryCallingCode + new string('*', NationalNumber.Length - shown) + NationalNumber[^shown..];
        }
    }

    /// <summary>Parses or throws <see cref="FormatException"/> (the message never contains the input).</summary>
    /// <param name="input">What the person typed.</param>
    /// <param name="defaultRegion">ISO 3166 alpha-2 code used for national numbers, e.g. <c>GB</c>, <c>KZ</c>; may be null
    /// when numbers are international.</param>
    public static PhoneNumber Parse(string input, string? defaultRegion = null) =>
        TryParse(input, defaultRegion, out var number, out var error)
            ? number
            : throw new FormatException(error.Describe());

    public static bool TryParse(
        string? input, string? defaultRegion, [NotNullWhen(true)] out PhoneNumber? number, out PhoneNumberError error)
    {
        number = null;
        error = TryParseCore(input, defaultRegion, ref number);
        return error == PhoneNumberError.None;
    }

    private static PhoneNumberError TryParseCore(string? input, string? defaultRegion, ref PhoneNumber? number)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return PhoneNumberError.Empty;
        }

        if (input.Length > MaxInputLength)
        {
            return PhoneNumberError.TooLong;
        }

        Span<char> buffer = stackalloc char[input.Length];
        var length = 0;
        var plus = false;
        foreach (var c in input)
        {
            if (c is >= '0' and <= '9')
            {
                buffer[length++] = c;
            }
            else if (c == '+' && length == 0 && !plus)
            {
                plus = true;
            }
            else if (!IsSeparator(c))
            {
                return PhoneNumberError.InvalidCharacters;
            }
        }

        if (length == 0)
        {
            return plus ? PhoneNumberError.TooShort : PhoneNumberError.Empty;
        }

        var digits = new string(buffer[..length]);
        Region? region = null;
        if (defaultRegion is not null && !Regions.TryGetValue(defaultRegion, out region))
        {
            return PhoneNumberError.UnsupportedRegion;
        }

        if (plus)
        {
            return FromInternational(digits, ref number);
        }

        if (region is null)
        {
            return digits.StartsWith("00", StringComparison.Ordinal)
                ? FromInternational(digits[2..], ref number)
                : PhoneNumberError.MissingRegion;
        }

        foreach (var prefix in region.InternationalPrefixes)
        {
            if (digits.Length > prefix.Length && digits.StartsWith(prefix, StringComparison.Ordinal))
            {
                return FromInternational(digits[prefix.Length..], ref number);
            }
        }

        return FromNational(digits, region, ref number);
    }

    private static PhoneNumberError FromNational(string digits, Region region, ref PhoneNumber? number)
    {
        bool Fits(string national) => national.Length >= region.MinNational && national.Length <= region.MaxNational;

        string national;
        if (digits.StartsWith(region.TrunkPrefix, StringComparison.Ordinal) && Fits(digits[region.TrunkPrefix.Length..]))
        {
            national = digits[region.TrunkPrefix.Length..];
        }
        else if (Fits(digits) && !digits.StartsWith(region.TrunkPrefix, StringComparison.Ordinal))
        {
            national = digits;
        }
        else if (digits.StartsWith(region.CallingCode, StringComparison.Ordinal) && Fits(digits[region.CallingCode.Length..]))
        {
            national = digits[region.CallingCode.Length..];
        }
        else
        {
            return LengthError(region.CallingCode.Length + digits.Length - (digits.StartsWith(region.TrunkPrefix, StringComparison.Ordinal) ? region.TrunkPrefix.Length : 0))
                ?? PhoneNumberError.InvalidLengthForCountry;
        }

        return Build(region.CallingCode, national, ref number);
    }

    private static PhoneNumberError FromInternational(string digits, ref PhoneNumber? number)
    {
        if (digits.Length == 0)
        {
            return PhoneNumberError.TooShort;
        }

        if (digits[0] == '0')
        {
            return PhoneNumberError.InvalidCountryCode;
        }

        var codeLength = digits[0] is '1' or '7' ? 1 : TwoDigitCodes.Contains(digits[..Math.Min(2, digits.Length)]) ? 2 : 3;
        if (digits.Length <= codeLength)
        {
            return PhoneNumberError.TooShort;
        }

        var code = digits[..codeLength];
        var national = digits[codeLength..];
        if (Countries.TryGetValue(code, out var rule) && rule.TrunkPrefix is { } trunk
            && national.Length > rule.MaxNational && national.StartsWith(trunk, StringComparison.Ordinal)
            && national.Length - trunk.Length >= rule.MinNational)
        {
            national = national[trunk.Length..];   // "+44 (0)7700 900123"
        }

        return Build(code, national, ref number);
    }

    private static PhoneNumberError Build(string code, string national, ref PhoneNumber? number)
    {
        if (LengthError(code.Length + national.Length) is { } lengthError)
        {
            return lengthError;
        }

        if (Countries.TryGetValue(code, out var rule))
        {
            if (national.Length < rule.MinNational || national.Length > rule.MaxNational)
            {
                return PhoneNumberError.InvalidLengthForCountry;
            }

            if (rule.NationalStartIsValid is { } valid && !valid(national))
            {
                return PhoneNumberError.InvalidNationalNumber;
            }
        }

        number = new PhoneNumber(code, national);
        return PhoneNumberError.None;
    }

    private static PhoneNumberError? LengthError(int totalDigits) => totalDigits switch
    {
        < MinDigits => PhoneNumberError.TooShort,
        > MaxDigits => PhoneNumberError.TooLong,
        _ => null,
    };

    private static bool IsSeparator(char c) =>
        char.IsWhiteSpace(c) || c is '-' or '.' or '(' or ')' or '/' or (>= '\u2010' and <= '\u2015') or '\u2212';

    /// <summary>The masked form (<see cref="Masked"/>), never the full number.</summary>
    public override string ToString() => Masked;
}

using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PhoneNumbers;
using LibPhoneNumber = PhoneNumbers.PhoneNumber;

namespace AlertPipeline.Core.Contacts;

/// <summary>
/// A phone number in E.164 form (<c>+</c>, country calling code, national significant number), parsed and validated
/// once from what people type by libphonenumber (<see cref="PhoneNumberUtil"/>).
/// <para>
/// <see cref="ToString"/> returns <see cref="Masked"/> (e.g. <c>+44******0123</c>) so that logging a number by accident
/// never prints it in full; use <see cref="E164"/> deliberately where the real value is needed (the Twilio <c>To</c>
/// field, hashing).
/// </para>
/// </summary>
/// <remarks>
/// Parsing, in order:
/// <list type="number">
/// <item>Digits of any script (ASCII, Arabic-Indic, full-width, …) are read as digits; white space, <c>- . ( ) /</c> and
/// Unicode dashes separate; one leading <c>+</c>. An extension at the end (<c>ext 5</c>, <c>x12</c>, <c>#3</c>,
/// <c>;ext=4</c>) is read and dropped (<paramref name="extensionDropped"/> in <see cref="TryParse(string?, string?, out PhoneNumber?, out PhoneNumberError, out bool)"/>:
/// an SMS cannot dial it). Anything else is <see cref="PhoneNumberError.InvalidCharacters"/>.</item>
/// <item><c>+</c> (or <c>00</c> when no region is given) means the country calling code follows; otherwise the number
/// is national and read with the default region's trunk and international prefixes (<c>8</c> and <c>810</c> in KZ,
/// <c>0</c> and <c>00</c> in GB, …). A national number without a default region is
/// <see cref="PhoneNumberError.MissingRegion"/>.</item>
/// <item>The number must be <em>valid</em>: a possible length and in a range its country has assigned. Unassigned
/// country codes (<c>+999 …</c>) are <see cref="PhoneNumberError.InvalidCountryCode"/>. Ranges reserved for fiction
/// (Ofcom's drama numbers <c>07700 900000</c>–<c>900999</c>) are unassigned too, and accepted only when listed in
/// <see cref="FictionalRanges"/> — set for the demo and the tests, never by default.</item>
/// </list>
/// </remarks>
public sealed partial record PhoneNumber
{
    private const int MaxInputLength = 64;
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();
    private static IReadOnlyList<PhoneNumberRange> _fictionalRanges = [];

    private PhoneNumber(string callingCode, string nationalNumber)
    {
        CountryCallingCode = callingCode;
        NationalNumber = nationalNumber;
        E164 = "+" + callingCode + nationalNumber;
    }

    /// <summary>ISO 3166 alpha-2 codes accepted as a default region (every region libphonenumber knows).</summary>
    public static IReadOnlyCollection<string> SupportedRegions { get; } = Util.GetSupportedRegions().Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Unassigned ranges accepted as if they were assigned: empty unless the process was started with
    /// <c>PhoneNumbers:FictionalRanges</c> (the demo, the tests). See <see cref="AcceptFictionalRanges"/>.
    /// </summary>
    public static IReadOnlyList<PhoneNumberRange> FictionalRanges => Volatile.Read(ref _fictionalRanges);

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

    /// <summary>
    /// Replaces the process-wide list of fictional ranges accepted although unassigned. Called once at start-up from
    /// configuration (<c>PhoneNumbers:FictionalRanges</c>); demo and test settings only.
    /// </summary>
    public static void AcceptFictionalRanges(IEnumerable<PhoneNumberRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        Volatile.Write(ref _fictionalRanges, ranges.ToArray());
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
        string? input, string? defaultRegion, [NotNullWhen(true)] out PhoneNumber? number, out PhoneNumberError error) =>
        TryParse(input, defaultRegion, out number, out error, out _);

    /// <param name="input">What the person typed.</param>
    /// <param name="defaultRegion">For national numbers (case-insensitive), or null.</param>
    /// <param name="number">The number, when valid.</param>
    /// <param name="error">Why not, otherwise.</param>
    /// <param name="extensionDropped">True when the input ended with an extension, which was left out.</param>
    public static bool TryParse(
        string? input, string? defaultRegion, [NotNullWhen(true)] out PhoneNumber? number, out PhoneNumberError error, out bool extensionDropped)
    {
        number = null;
        extensionDropped = false;
        error = TryParseCore(input, defaultRegion, ref number, ref extensionDropped);
        return error == PhoneNumberError.None;
    }

    /// <summary>The masked form (<see cref="Masked"/>), never the full number.</summary>
    public override string ToString() => Masked;

    private static PhoneNumberError TryParseCore(string? input, string? defaultRegion, ref PhoneNumber? number, ref bool extensionDropped)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return PhoneNumberError.Empty;
        }

        if (input.Length > MaxInputLength)
        {
            return PhoneNumberError.TooLong;
        }

        var text = AsciiDigits(input.Trim());
        var extension = Extension().Match(text);
        var main = extension.Success ? text[..extension.Index] : text;
        var plus = false;
        var digits = 0;
        foreach (var c in main)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (c == '+' && digits == 0 && !plus)
            {
                plus = true;
            }
            else if (!IsSeparator(c))
            {
                return PhoneNumberError.InvalidCharacters;
            }
        }

        if (digits == 0)
        {
            return plus ? PhoneNumberError.TooShort : PhoneNumberError.Empty;
        }

        string? region = null;
        if (defaultRegion is not null)
        {
            region = defaultRegion.Trim().ToUpperInvariant();
            if (!Util.GetSupportedRegions().Contains(region))
            {
                return PhoneNumberError.UnsupportedRegion;
            }
        }

        if (!plus && region is null)
        {
            var trimmed = main.TrimStart();
            if (!trimmed.StartsWith("00", StringComparison.Ordinal))
            {
                return PhoneNumberError.MissingRegion;
            }

            main = "+" + trimmed[2..];
        }

        LibPhoneNumber parsed;
        try
        {
            parsed = Util.Parse(main, region);
        }
        catch (NumberParseException ex)
        {
            return ex.ErrorType switch
            {
                ErrorType.INVALID_COUNTRY_CODE => PhoneNumberError.InvalidCountryCode,
                ErrorType.TOO_SHORT_AFTER_IDD or ErrorType.TOO_SHORT_NSN => PhoneNumberError.TooShort,
                ErrorType.TOO_LONG => PhoneNumberError.TooLong,
                _ => PhoneNumberError.InvalidCharacters,
            };
        }

        var e164 = Util.Format(parsed, PhoneNumberFormat.E164);
        var callingCode = parsed.CountryCode.ToString(CultureInfo.InvariantCulture);
        if (!Util.IsValidNumber(parsed) && !FictionalRanges.Any(r => r.Contains(e164)))
        {
            return Util.IsPossibleNumberWithReason(parsed) switch
            {
                PhoneNumberUtil.ValidationResult.TOO_SHORT or PhoneNumberUtil.ValidationResult.IS_POSSIBLE_LOCAL_ONLY => PhoneNumberError.TooShort,
                PhoneNumberUtil.ValidationResult.TOO_LONG => PhoneNumberError.TooLong,
                PhoneNumberUtil.ValidationResult.INVALID_COUNTRY_CODE => PhoneNumberError.InvalidCountryCode,
                PhoneNumberUtil.ValidationResult.INVALID_LENGTH => PhoneNumberError.InvalidLengthForCountry,
                // A possible length overall, but not for a mobile (an SMS needs one): say so rather than "unassigned".
                _ => Util.IsPossibleNumberForTypeWithReason(parsed, PhoneNumberType.MOBILE) is PhoneNumberUtil.ValidationResult.IS_POSSIBLE
                    ? PhoneNumberError.InvalidNationalNumber
                    : PhoneNumberError.InvalidLengthForCountry,
            };
        }

        extensionDropped = extension.Success || parsed.HasExtension;
        number = new PhoneNumber(callingCode, e164[(callingCode.Length + 1)..]);
        return PhoneNumberError.None;
    }

    /// <summary>Every decimal digit of any script as its ASCII digit; full-width <c>＋</c> as <c>+</c>.</summary>
    private static string AsciiDigits(string input)
    {
        var builder = new StringBuilder(input.Length);
        foreach (var c in input)
        {
            var value = CharUnicodeInfo.GetDecimalDigitValue(c);
            builder.Append(value >= 0 ? (char)('0' + value) : c == '\uFF0B' ? '+' : c);
        }

        return builder.ToString();
    }

    private static bool IsSeparator(char c) =>
        char.IsWhiteSpace(c) || c is '-' or '.' or '(' or ')' or '/' or (>= '\u2010' and <= '\u2015') or '\u2212';

    [GeneratedRegex(@"\s*(?:;\s*ext=|,?\s*(?:ext\.?|extension|x|доб\.?)|#)\s*[0-9]{1,10}\s*#?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Extension();
}

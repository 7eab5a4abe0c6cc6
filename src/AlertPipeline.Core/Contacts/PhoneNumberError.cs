namespace AlertPipeline.Core.Contacts;

/// <summary>Why a phone number could not be parsed.</summary>
public enum PhoneNumberError
{
    None = 0,

    /// <summary>Nothing but separators (or nothing at all) was given.</summary>
    Empty,

    /// <summary>Letters or symbols other than digits (of any script), a leading <c>+</c>, the separators <c>space - . ( ) /</c> and a trailing extension.</summary>
    InvalidCharacters,

    /// <summary>A national number (no <c>+</c> or international prefix) was given without a default region.</summary>
    MissingRegion,

    /// <summary>The default region is not an ISO 3166 code libphonenumber knows (see <see cref="PhoneNumber.SupportedRegions"/>).</summary>
    UnsupportedRegion,

    /// <summary>The digits after <c>+</c> do not start with an assigned country calling code (<c>+0…</c>, <c>+999…</c>).</summary>
    InvalidCountryCode,

    /// <summary>Too few digits for any number of its country.</summary>
    TooShort,

    /// <summary>Too many digits for any number of its country (or more than 15 in all, the E.164 maximum).</summary>
    TooLong,

    /// <summary>The national number has a length the country does not use for mobiles (e.g. not 10 digits after +447).</summary>
    InvalidLengthForCountry,

    /// <summary>The number has a possible length but is in no range its country has assigned (e.g. +1 0…, or a fictional range not configured).</summary>
    InvalidNationalNumber,
}

public static class PhoneNumberErrorExtensions
{
    /// <summary>A short English explanation, safe to log (it never contains the number).</summary>
    public static string Describe(this PhoneNumberError error) => error switch
    {
        PhoneNumberError.None => "no error",
        PhoneNumberError.Empty => "the phone number is empty",
        PhoneNumberError.InvalidCharacters => "the phone number contains characters other than digits, a leading '+', separators and an extension",
        PhoneNumberError.MissingRegion => "the phone number has no country code and no default region was given",
        PhoneNumberError.UnsupportedRegion => "the default region is not supported",
        PhoneNumberError.InvalidCountryCode => "the phone number does not start with an assigned country calling code",
        PhoneNumberError.TooShort => "the phone number has too few digits",
        PhoneNumberError.TooLong => "the phone number has too many digits",
        PhoneNumberError.InvalidLengthForCountry => "the phone number has the wrong number of digits for its country",
        PhoneNumberError.InvalidNationalNumber => "the phone number is not in a range its country has assigned",
        _ => error.ToString(),
    };
}

namespace AlertPipeline.Core.Contacts;

/// <summary>Why a phone number could not be parsed.</summary>
public enum PhoneNumberError
{
    None = 0,

    /// <summary>Nothing but separators (or nothing at all) was given.</summary>
    Empty,

    /// <summary>Letters or symbols other than digits, a leading <c>+</c> and the separators <c>space - . ( ) /</c>.</summary>
    InvalidCharacters,

    /// <summary>A national number (no <c>+</c> or international prefix) was given without a default region.</summary>
    MissingRegion,

    /// <summary>The default region is not one we have numbering rules for (see <see cref="PhoneNumber.SupportedRegions"/>).</summary>
    UnsupportedRegion,

    /// <summary>The digits after <c>+</c> do not start with a possible country calling code.</summary>
    InvalidCountryCode,

    /// <summary>Fewer than 8 digits in total (country code included).</summary>
    TooShort,

    /// <summary>More than 15 digits in total (country code included), the E.164 maximum.</summary>
    TooLong,

    /// <summary>The national number has a length the country does not use (e.g. not 10 digits after +44).</summary>
    InvalidLengthForCountry,

    /// <summary>The national number starts with a digit the country does not allow there (e.g. +1 0…).</summary>
    InvalidNationalNumber,
}

public static class PhoneNumberErrorExtensions
{
    /// <summary>A short English explanation, safe to log (it never contains the number).</summary>
    public static string Describe(this PhoneNumberError error) => error switch
    {
        PhoneNumberError.None => "no error",
        PhoneNumberError.Empty => "the phone number is empty",
        PhoneNumberError.InvalidCharacters => "the phone number contains characters other than digits, a leading '+' and separators",
        PhoneNumberError.MissingRegion => "the phone number has no country code and no default region was given",
        PhoneNumberError.UnsupportedRegion => "the default region is not supported",
        PhoneNumberError.InvalidCountryCode => "the phone number does not start with a valid country calling code",
        PhoneNumberError.TooShort => "the phone number has fewer than 8 digits",
        PhoneNumberError.TooLong => "the phone number has more than 15 digits",
        PhoneNumberError.InvalidLengthForCountry => "the phone number has the wrong number of digits for its country",
        PhoneNumberError.InvalidNationalNumber => "the national number starts with a digit its country does not allow",
        _ => error.ToString(),
    };
}

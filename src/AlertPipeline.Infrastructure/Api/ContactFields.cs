using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.Infrastructure.Api;

/// <summary>One invalid field: its name as the client wrote it (<c>phone</c>) and what is wrong. Never quotes a number or an address.</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>A contact as the API receives it (JSON body or CSV line), before validation.</summary>
public sealed record ContactInput(
    string? ContactId, string? Name, string? Phone, string? Email, string? Language, string? TimeZone, bool? SmsConsent, bool? EmailConsent);

/// <summary>
/// Validates a <see cref="ContactInput"/> with Core's value objects, collecting every field error. Rules (docs/api.md): the
/// phone must be international (<c>+</c> or <c>00</c>: there is no region column) and valid (an extension is dropped with a
/// warning); the email must be valid; at
/// least one of them is given; language and an IANA time zone are required; both consents are required (true/false).
/// </summary>
public static class ContactFields
{
    /// <param name="warnings">Where to note what was accepted with a change (an extension dropped from the phone); may be null.</param>
    public static ContactEntry? Validate(UnionId unionId, BranchId branchId, ContactInput input, List<FieldError> errors, List<FieldError>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(errors);
        var before = errors.Count;

        ContactId? contactId = null;
        if (string.IsNullOrWhiteSpace(input.ContactId))
        {
            errors.Add(new("contactId", "is required"));
        }
        else if (!ContactId.TryParse(input.ContactId, out contactId, out var idError))
        {
            errors.Add(new("contactId", idError));
        }

        var name = input.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(new("name", "is required"));
        }
        else if (NameProblem(name) is { } nameProblem)
        {
            errors.Add(new("name", nameProblem));
        }

        PhoneNumber? phone = null;
        var hasPhone = !string.IsNullOrWhiteSpace(input.Phone);
        var extensionDropped = false;
        if (hasPhone && !PhoneNumber.TryParse(input.Phone, null, out phone, out var phoneError, out extensionDropped))
        {
            errors.Add(new("phone", phoneError == PhoneNumberError.MissingRegion
                ? "the phone number must be international (start with '+' and the country code)"
                : phoneError.Describe()));
        }
        else if (hasPhone && extensionDropped)
        {
            warnings?.Add(new("phone", "the extension was dropped (an SMS cannot dial it); the number was kept"));
        }

        EmailAddress? email = null;
        var hasEmail = !string.IsNullOrWhiteSpace(input.Email);
        if (hasEmail && !EmailAddress.TryParse(input.Email, out email, out var emailError))
        {
            errors.Add(new("email", $"is not a valid email address ({EmailAddress.Describe(emailError)})"));
        }

        if (!hasPhone && !hasEmail)
        {
            errors.Add(new("phone", "a contact needs a phone or an email"));
        }

        LanguageTag? language = null;
        if (string.IsNullOrWhiteSpace(input.Language))
        {
            errors.Add(new("language", "is required"));
        }
        else if (!LanguageTag.TryParse(input.Language.Trim(), out language))
        {
            errors.Add(new("language", "is not a language tag such as 'en' or 'kk'"));
        }

        TimeZoneId? zone = null;
        if (string.IsNullOrWhiteSpace(input.TimeZone))
        {
            errors.Add(new("timeZone", "is required"));
        }
        else if (!TimeZoneId.TryParse(input.TimeZone.Trim(), out zone, out var zoneError))
        {
            errors.Add(new("timeZone", zoneError));
        }

        if (input.SmsConsent is null)
        {
            errors.Add(new("smsConsent", "missing consent (true or false)"));
        }

        if (input.EmailConsent is null)
        {
            errors.Add(new("emailConsent", "missing consent (true or false)"));
        }

        if (errors.Count > before)
        {
            return null;
        }

        return new ContactEntry(new Contact
        {
            UnionId = unionId,
            BranchId = branchId,
            ContactId = contactId!,
            Name = name!,
            Phone = phone,
            Email = email,
            Language = language!,
            TimeZone = zone!,
            Consent = new Consent(input.SmsConsent!.Value, input.EmailConsent!.Value),
        });
    }

    /// <summary>Why a display name (contact or branch, already trimmed and not empty) is refused, or null.</summary>
    public static string? NameProblem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Length > 200 ? "is longer than 200 characters"
            : name.Any(char.IsControl) ? "contains a control character (such as a line break)"
            : null;
    }

    /// <summary>A consent cell: <c>true/false</c>, <c>yes/no</c>, <c>1/0</c> (any case); null when empty or anything else.</summary>
    public static bool? ParseConsent(string? text, out bool present)
    {
        var value = text?.Trim().ToLowerInvariant();
        present = !string.IsNullOrEmpty(value);
        return value switch
        {
            "true" or "yes" or "1" => true,
            "false" or "no" or "0" => false,
            _ => null,
        };
    }
}

using System.Diagnostics.CodeAnalysis;

namespace AlertPipeline.Core.Contacts;

/// <summary>Identifies a contact (a union member) within a union. Validated once: see <see cref="Slug"/> for the rule (lowercase <c>[a-z0-9-]</c>, 1 to 64 characters).</summary>
public sealed record ContactId : IParsable<ContactId>
{
    private ContactId(string value) => Value = value;

    public string Value { get; }

    /// <summary>Parses <paramref name="value"/> or throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static ContactId Parse(string value) =>
        TryParse(value, out var id, out var error) ? id : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out ContactId? id) =>
        TryParse(value, out id, out _);

    public static bool TryParse(
        [NotNullWhen(true)] string? value, [NotNullWhen(true)] out ContactId? id, [NotNullWhen(false)] out string? error)
    {
        error = Slug.Check(value, "contact id");
        id = error is null ? new ContactId(value!) : null;
        return id is not null;
    }

    static ContactId IParsable<ContactId>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<ContactId>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, [MaybeNullWhen(false)] out ContactId result) =>
        TryParse(s, out result);

    public override string ToString() => Value;
}

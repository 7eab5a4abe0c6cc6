using System.Diagnostics.CodeAnalysis;

namespace AlertPipeline.Core.Contacts;

/// <summary>Identifies a union; the tenant boundary: one union never reads another's members. Validated once: see <see cref="Slug"/> for the rule (lowercase <c>[a-z0-9-]</c>, 1 to 64 characters).</summary>
public sealed record UnionId : IParsable<UnionId>
{
    private UnionId(string value) => Value = value;

    public string Value { get; }

    /// <summary>Parses <paramref name="value"/> or throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static UnionId Parse(string value) =>
        TryParse(value, out var id, out var error) ? id : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out UnionId? id) =>
        TryParse(value, out id, out _);

    public static bool TryParse(
        [NotNullWhen(true)] string? value, [NotNullWhen(true)] out UnionId? id, [NotNullWhen(false)] out string? error)
    {
        error = Slug.Check(value, "union id");
        id = error is null ? new UnionId(value!) : null;
        return id is not null;
    }

    static UnionId IParsable<UnionId>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<UnionId>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, [MaybeNullWhen(false)] out UnionId result) =>
        TryParse(s, out result);

    public override string ToString() => Value;
}

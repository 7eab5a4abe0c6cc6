using System.Diagnostics.CodeAnalysis;

namespace AlertPipeline.Core.Contacts;

/// <summary>Identifies a branch within a union (unique per union, not globally). Validated once: see <see cref="Slug"/> for the rule (lowercase <c>[a-z0-9-]</c>, 1 to 64 characters).</summary>
public sealed record BranchId : IParsable<BranchId>
{
    private BranchId(string value) => Value = value;

    public string Value { get; }

    /// <summary>Parses <paramref name="value"/> or throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static BranchId Parse(string value) =>
        TryParse(value, out var id, out var error) ? id : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out BranchId? id) =>
        TryParse(value, out id, out _);

    public static bool TryParse(
        [NotNullWhen(true)] string? value, [NotNullWhen(true)] out BranchId? id, [NotNullWhen(false)] out string? error)
    {
        error = Slug.Check(value, "branch id");
        id = error is null ? new BranchId(value!) : null;
        return id is not null;
    }

    static BranchId IParsable<BranchId>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<BranchId>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, [MaybeNullWhen(false)] out BranchId result) =>
        TryParse(s, out result);

    public override string ToString() => Value;
}

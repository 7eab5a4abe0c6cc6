using System.Diagnostics.CodeAnalysis;
using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Events;

/// <summary>The name of a campaign's stored template set, used instead of inline templates. Lowercase slug.</summary>
public sealed record TemplateRef
{
    private TemplateRef(string name) => Name = name;

    public string Name { get; }

    public static TemplateRef Parse(string name) =>
        TryParse(name, out var reference, out var error) ? reference : throw new FormatException(error);

    public static bool TryParse(
        [NotNullWhen(true)] string? name, [NotNullWhen(true)] out TemplateRef? reference, [NotNullWhen(false)] out string? error)
    {
        error = Slug.Check(name, "template name");
        reference = error is null ? new TemplateRef(name!) : null;
        return reference is not null;
    }

    public override string ToString() => Name;
}

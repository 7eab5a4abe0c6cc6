using System.Text;
using AlertPipeline.Core.Common;

namespace AlertPipeline.Core.Messaging;

/// <summary>
/// The placeholder syntax: <c>{{name}}</c>, optionally with spaces inside the braces (<c>{{ name }}</c>). Names are
/// ASCII, start with a letter and continue with letters, digits or <c>_</c>; they are case-sensitive. A <c>{{</c> always
/// opens a placeholder (there is no escape); a single <c>{</c> or <c>}</c>, or a lone <c>}}</c>, is literal text.
/// </summary>
public static class TemplateText
{
    /// <summary>The placeholder names in <paramref name="text"/> in order of first use, or the syntax errors (path = <paramref name="path"/>).</summary>
    public static Result<ValueList<string>> Placeholders(string text, string path = "text")
    {
        var names = new List<string>();
        var errors = new List<ValidationError>();
        Scan(text, path, literal: null, placeholder: name =>
        {
            if (!names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }
        }, errors);
        return errors.Count == 0 ? Result.Success(ValueList.From(names)) : Result.Failure<ValueList<string>>(errors);
    }

    /// <summary>Whether <paramref name="name"/> is a valid variable name.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>
    /// The fewest characters <paramref name="text"/> can render to: placeholders with a value in
    /// <paramref name="variables"/> count as that value, the others (filled per recipient later) as nothing. Placeholder
    /// syntax errors are ignored here (<see cref="Placeholders"/> reports them).
    /// </summary>
    public static int MinimumLength(string text, IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var length = 0;
        Scan(text, "text", literal: s => length += s.Length, placeholder: name => length += variables.TryGetValue(name, out var v) && v is not null ? v.Length : 0, []);
        return length;
    }

    /// <summary>
    /// Replaces every placeholder with <paramref name="encode"/>(value). Errors (path = <paramref name="path"/>) name
    /// each syntax problem and each variable with no value.
    /// </summary>
    internal static string? Substitute(
        string text, string path, IReadOnlyDictionary<string, string> variables, Func<string, string> encode, List<ValidationError> errors)
    {
        var output = new StringBuilder(text.Length + 64);
        var before = errors.Count;
        var missing = new HashSet<string>(StringComparer.Ordinal);
        Scan(text, path, literal: s => output.Append(s), placeholder: name =>
        {
            if (variables.TryGetValue(name, out var value) && value is not null)
            {
                output.Append(encode(value));
            }
            else if (missing.Add(name))
            {
                errors.Add(new ValidationError(path, $"unknown variable '{name}': no value was given for {{{{{name}}}}}"));
            }
        }, errors);
        return errors.Count == before ? output.ToString() : null;
    }

    private static void Scan(string text, string path, Action<string>? literal, Action<string> placeholder, List<ValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(text);
        var position = 0;
        while (position < text.Length)
        {
            var open = text.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                literal?.Invoke(text[position..]);
                return;
            }

            literal?.Invoke(text[position..open]);
            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                errors.Add(new ValidationError(path, $"unterminated placeholder at position {open}: '{{{{' without '}}}}'"));
                return;
            }

            var name = text[(open + 2)..close].Trim();
            if (IsValidName(name))
            {
                placeholder(name);
            }
            else
            {
                errors.Add(new ValidationError(path, $"invalid placeholder '{text[open..(close + 2)]}' at position {open}: a name is a letter followed by letters, digits or '_'"));
            }

            position = close + 2;
        }
    }
}

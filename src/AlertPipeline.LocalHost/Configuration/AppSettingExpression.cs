using System.Text;

namespace AlertPipeline.LocalHost.Configuration;

/// <summary><c>%NAME%</c> placeholders, as the host resolves them in binding properties (app settings) and handler arguments (environment).</summary>
public static class AppSettingExpression
{
    /// <summary>True when <paramref name="value"/> holds at least one <c>%NAME%</c>.</summary>
    public static bool HasPlaceholders(string value) => Names(value).Any();

    /// <summary>The names of the <c>%NAME%</c> placeholders in <paramref name="value"/>.</summary>
    public static IEnumerable<string> Names(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var start = -1;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '%')
            {
                continue;
            }

            if (start < 0)
            {
                start = i;
            }
            else
            {
                if (i > start + 1)
                {
                    yield return value[(start + 1)..i];
                }

                start = -1;
            }
        }
    }

    /// <summary>
    /// Replaces each <c>%NAME%</c> with <paramref name="lookup"/>(NAME). Returns false with the first missing name when a
    /// setting is absent.
    /// </summary>
    public static bool TryResolve(string value, Func<string, string?> lookup, out string resolved, out string? missing)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(lookup);
        missing = null;
        var result = new StringBuilder(value.Length);
        var position = 0;
        while (position < value.Length)
        {
            var open = value.IndexOf('%', position);
            var close = open < 0 ? -1 : value.IndexOf('%', open + 1);
            if (open < 0 || close < 0)
            {
                result.Append(value, position, value.Length - position);
                break;
            }

            result.Append(value, position, open - position);
            var name = value[(open + 1)..close];
            if (name.Length == 0)
            {
                result.Append("%%");
            }
            else if (lookup(name) is { } setting)
            {
                result.Append(setting);
            }
            else
            {
                missing = name;
                resolved = value;
                return false;
            }

            position = close + 1;
        }

        resolved = result.ToString();
        return true;
    }

    /// <summary>Like Environment.ExpandEnvironmentVariables: <c>%NAME%</c> with an unknown name stays as written.</summary>
    public static string ExpandEnvironment(string value, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(environment);
        var result = new StringBuilder(value.Length);
        var position = 0;
        while (position < value.Length)
        {
            var open = value.IndexOf('%', position);
            var close = open < 0 ? -1 : value.IndexOf('%', open + 1);
            if (open < 0 || close < 0)
            {
                result.Append(value, position, value.Length - position);
                break;
            }

            var name = value[(open + 1)..close];
            if (name.Length > 0 && environment(name) is { } replacement)
            {
                result.Append(value, position, open - position).Append(replacement);
                position = close + 1;
            }
            else
            {
                // Keep the first '%' and continue from the second, which may open the next placeholder.
                result.Append(value, position, close - position);
                position = close;
            }
        }

        return result.ToString();
    }
}

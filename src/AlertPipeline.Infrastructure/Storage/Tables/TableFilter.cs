using System.Globalization;
using System.Text;

namespace AlertPipeline.Infrastructure.Storage.Tables;

/// <summary>
/// Builds OData <c>$filter</c> expressions with every value quoted as a literal, so no value can change the query:
/// <c>TableFilter.Create($"PartitionKey eq {pk} and Count gt {n}")</c>. Strings become <c>'…'</c> with <c>'</c> doubled;
/// bool <c>true</c>; int <c>42</c>; long <c>42L</c>; double <c>2.5</c> (<c>2.0</c> for whole numbers); dates
/// <c>datetime'…Z'</c>; Guid <c>guid'…'</c>; bytes <c>X'hex'</c>. Format specifiers in the holes are ignored.
/// </summary>
public static class TableFilter
{
    /// <summary>Formats <paramref name="filter"/>, turning each interpolated value into a safe OData literal.</summary>
    public static string Create(FormattableString filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var arguments = filter.GetArguments();
        var literals = new object?[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            literals[i] = Literal(arguments[i], i);
        }

        return string.Format(CultureInfo.InvariantCulture, filter.Format, literals);
    }

    /// <summary><c>PartitionKey eq '…'</c>.</summary>
    public static string PartitionKeyEquals(string partitionKey) => Create($"PartitionKey eq {partitionKey}");

    /// <summary><c>RowKey eq '…'</c>.</summary>
    public static string RowKeyEquals(string rowKey) => Create($"RowKey eq {rowKey}");

    /// <summary>Row keys starting with <paramref name="prefix"/>: <c>RowKey ge 'p' and RowKey lt 'q'</c> (the prefix with its last character incremented).</summary>
    public static string RowKeyStartsWith(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var last = prefix[^1];
        if (last == char.MaxValue)
        {
            return Create($"RowKey ge {prefix}");
        }

        var upper = prefix[..^1] + (char)(last + 1);
        return Create($"RowKey ge {prefix} and RowKey lt {upper}");
    }

    /// <summary>Joins filters with <c>and</c>, each in parentheses.</summary>
    public static string And(params string[] filters) => Join("and", filters);

    /// <summary>Joins filters with <c>or</c>, each in parentheses.</summary>
    public static string Or(params string[] filters) => Join("or", filters);

    /// <summary>One value as an OData literal.</summary>
    public static string Literal(object? value) => Literal(value, 0);

    private static string Literal(object? value, int index) => value switch
    {
        null => throw new ArgumentException(
            $"Filter argument {index} is null; Table Storage filters cannot compare with null (an absent property never matches)."),
        string s => Quote(s),
        char c => Quote(c.ToString()),
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        double d when double.IsNaN(d) || double.IsInfinity(d) => throw new ArgumentException(
            $"Filter argument {index} is {d}; filters cannot compare with NaN or infinity."),
        double d => FormatDouble(d),
        DateTimeOffset dto => "datetime'" + TableEntityJson.FormatDateTime(dto) + "'",
        DateTime { Kind: DateTimeKind.Unspecified } => throw new ArgumentException(
            $"Filter argument {index} is a DateTime of unspecified kind; use DateTimeOffset or a UTC DateTime."),
        DateTime dt => "datetime'" + TableEntityJson.FormatDateTime(new DateTimeOffset(dt.ToUniversalTime(), TimeSpan.Zero)) + "'",
        Guid g => "guid'" + g.ToString("D") + "'",
        byte[] bytes => "X'" + Convert.ToHexStringLower(bytes) + "'",
        _ => throw new ArgumentException(
            $"Filter argument {index} has type {value.GetType().Name}, which has no OData literal " +
            "(use string, bool, int, long, double, DateTimeOffset, DateTime, Guid or byte[])."),
    };

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string FormatDouble(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }

    private static string Join(string op, string[] filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Length == 0)
        {
            throw new ArgumentException($"'{op}' needs at least one filter.", nameof(filters));
        }

        if (filters.Length == 1)
        {
            return filters[0];
        }

        var builder = new StringBuilder();
        for (var i = 0; i < filters.Length; i++)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(filters[i], nameof(filters));
            if (i > 0)
            {
                builder.Append(' ').Append(op).Append(' ');
            }

            builder.Append('(').Append(filters[i]).Append(')');
        }

        return builder.ToString();
    }
}

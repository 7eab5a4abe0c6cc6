using System.Text.RegularExpressions;

namespace AlertPipeline.Infrastructure.Storage.Tables;

/// <summary>
/// The Table service's limits, checked on the client before any request so bad input fails fast with an error naming
/// the key or property at fault (never its value: keys and values may be personal data).
/// </summary>
internal static partial class TableValidation
{
    internal const int MaxKeyBytes = 1024;              // 1 KiB, strings are UTF-16 in the service
    internal const int MaxProperties = 255;             // including PartitionKey, RowKey and Timestamp
    internal const int MaxPropertyValueBytes = 64 * 1024; // strings as UTF-16, binary as bytes
    internal const int MaxEntityBytes = 1024 * 1024;
    internal const int MaxPropertyNameLength = 255;
    internal const int MaxTransactionActions = 100;
    internal const int MaxRequestBytes = 4 * 1024 * 1024;

    /// <summary>Edm.DateTime cannot hold dates before 1601-01-01T00:00:00Z.</summary>
    internal static readonly DateTimeOffset MinDateTime = new(1601, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void TableName(string? name, string paramName)
    {
        if (name is null)
        {
            throw new ArgumentNullException(paramName, "A table name is required.");
        }

        if (!TableNameRegex().IsMatch(name))
        {
            throw new ArgumentException(
                $"'{name}' is not a valid table name: 3 to 63 letters and digits, starting with a letter (^[A-Za-z][A-Za-z0-9]{{2,62}}$).",
                paramName);
        }

        if (string.Equals(name, "tables", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("'tables' is a reserved table name.", paramName);
        }
    }

    public static void Key(string? value, string keyName, string paramName)
    {
        if (value is null)
        {
            throw new ArgumentNullException(paramName, $"The {keyName} is required.");
        }

        if (value.Length * 2 > MaxKeyBytes)
        {
            throw new ArgumentException(
                $"The {keyName} is {value.Length} characters; keys may be at most 1 KiB ({MaxKeyBytes / 2} UTF-16 characters).",
                paramName);
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                var what = char.IsControl(c) ? $"a control character (U+{(int)c:X4})" : $"'{c}'";
                throw new ArgumentException(
                    $"The {keyName} contains {what} at position {i}; keys may not contain '/', '\\', '#', '?' or control characters.",
                    paramName);
            }
        }
    }

    public static void PropertyName(string name, string paramName)
    {
        if (name.Length is 0 or > MaxPropertyNameLength)
        {
            throw new ArgumentException(
                $"Property name '{Shorten(name)}' must have 1 to {MaxPropertyNameLength} characters.", paramName);
        }

        if (!(char.IsLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException(
                $"Property name '{Shorten(name)}' is not valid: use letters, digits and '_' only, starting with a letter or '_' (C# identifier rules).",
                paramName);
        }
    }

    /// <summary>Checks an entity for a write (insert, update, upsert) and returns its estimated stored size in bytes.</summary>
    public static long EntityForWrite(TableEntity? entity, string paramName)
    {
        if (entity is null)
        {
            throw new ArgumentNullException(paramName, "An entity is required.");
        }

        Keys(entity, paramName);

        // Size estimate from the service's documented formula: 4 + 2 × (|PK| + |RK|) + Σ (8 + 2 × |name| + size(value)).
        var pk = (string)entity[TableEntity.PartitionKeyName]!;
        var rk = (string)entity[TableEntity.RowKeyName]!;
        long size = 4 + (2L * (pk.Length + rk.Length));
        var count = 3; // PartitionKey, RowKey, Timestamp
        foreach (var (name, value) in entity)
        {
            if (name is TableEntity.PartitionKeyName or TableEntity.RowKeyName or TableEntity.TimestampName || value is null)
            {
                continue;
            }

            PropertyName(name, paramName);
            count++;
            long valueSize = value switch
            {
                string s => 4 + (2L * s.Length),
                byte[] b => 4 + b.Length,
                bool => 1,
                int => 4,
                long or double or DateTimeOffset or DateTime => 8,
                Guid => 16,
                _ => throw new ArgumentException($"Property '{name}' has an unsupported type {value.GetType().Name}.", paramName),
            };

            switch (value)
            {
                case string s when s.Length * 2L > MaxPropertyValueBytes:
                    throw new ArgumentException(
                        $"Property '{name}' is a string of {s.Length} characters; string properties may be at most 64 KiB ({MaxPropertyValueBytes / 2} UTF-16 characters).",
                        paramName);
                case byte[] b when b.Length > MaxPropertyValueBytes:
                    throw new ArgumentException(
                        $"Property '{name}' is {b.Length} bytes; binary properties may be at most 64 KiB ({MaxPropertyValueBytes} bytes).",
                        paramName);
                case DateTime { Kind: DateTimeKind.Unspecified }:
                    throw new ArgumentException(
                        $"Property '{name}' is a DateTime of unspecified kind; use DateTimeOffset or a UTC DateTime.", paramName);
                case DateTime dt when new DateTimeOffset(dt.ToUniversalTime(), TimeSpan.Zero) < MinDateTime:
                case DateTimeOffset dto when dto < MinDateTime:
                    throw new ArgumentException(
                        $"Property '{name}' is a date before 1601-01-01T00:00:00Z, which Edm.DateTime cannot hold.", paramName);
            }

            size += 8 + (2L * name.Length) + valueSize;
        }

        if (count > MaxProperties)
        {
            throw new ArgumentException(
                $"The entity has {count} properties (counting PartitionKey, RowKey and Timestamp); at most {MaxProperties} are allowed.",
                paramName);
        }

        if (size > MaxEntityBytes)
        {
            throw new ArgumentException(
                $"The entity is about {size} bytes; entities may be at most 1 MiB ({MaxEntityBytes} bytes).", paramName);
        }

        return size;
    }

    /// <summary>Checks the entity's PartitionKey and RowKey (present, strings, legal characters and length).</summary>
    public static void Keys(TableEntity entity, string paramName)
    {
        Key(entity[TableEntity.PartitionKeyName] as string, TableEntity.PartitionKeyName, paramName);
        Key(entity[TableEntity.RowKeyName] as string, TableEntity.RowKeyName, paramName);
    }

    public static void MaxPerPage(int? maxPerPage, string paramName)
    {
        if (maxPerPage is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(paramName, maxPerPage, "A page holds 1 to 1000 entities.");
        }
    }

    private static string Shorten(string name) => name.Length <= 40 ? name : name[..40] + "…";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex TableNameRegex();
}

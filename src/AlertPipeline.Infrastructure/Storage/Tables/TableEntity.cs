using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Azure;

namespace AlertPipeline.Infrastructure.Storage.Tables;

/// <summary>
/// A table entity as an ordered property bag, shaped like Azure.Data.Tables' <c>TableEntity</c>: <c>PartitionKey</c>,
/// <c>RowKey</c> and <c>Timestamp</c> are entries of the dictionary; <see cref="ETag"/> is carried alongside.
/// Values are <see cref="string"/>, <see cref="bool"/>, <see cref="int"/>, <see cref="long"/>, <see cref="double"/>,
/// <see cref="DateTimeOffset"/>, <see cref="DateTime"/> (UTC or local), <see cref="Guid"/>, <c>byte[]</c> or null
/// (a null is not written: the property is absent on the server, as in Azure).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710", Justification = "Named as in Azure.Data.Tables.")]
public sealed class TableEntity : IDictionary<string, object?>
{
    internal const string PartitionKeyName = "PartitionKey";
    internal const string RowKeyName = "RowKey";
    internal const string TimestampName = "Timestamp";

    private readonly OrderedDictionary<string, object?> _properties = new(StringComparer.Ordinal);

    public TableEntity()
    {
    }

    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    /// <summary>Copies <paramref name="values"/> (each checked like the indexer).</summary>
    public TableEntity(IEnumerable<KeyValuePair<string, object?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (key, value) in values)
        {
            this[key] = value;
        }
    }

    /// <summary>The partition key; throws when the entity has none (e.g. it came from a query with a <c>select</c> without it).</summary>
    public string PartitionKey
    {
        get => GetString(PartitionKeyName)
               ?? throw new InvalidOperationException("The entity has no PartitionKey (was it left out of a select?).");
        set => this[PartitionKeyName] = value ?? throw new ArgumentNullException(nameof(value), "PartitionKey cannot be null.");
    }

    /// <summary>The row key; throws when the entity has none.</summary>
    public string RowKey
    {
        get => GetString(RowKeyName)
               ?? throw new InvalidOperationException("The entity has no RowKey (was it left out of a select?).");
        set => this[RowKeyName] = value ?? throw new ArgumentNullException(nameof(value), "RowKey cannot be null.");
    }

    /// <summary>The server's last-modified time (read only on the server; never written).</summary>
    public DateTimeOffset? Timestamp
    {
        get => GetDateTimeOffset(TimestampName);
        set => this[TimestampName] = value;
    }

    /// <summary>The entity's ETag as last read or written; pass it to <c>UpdateEntityAsync</c> for optimistic concurrency.</summary>
    public ETag ETag { get; set; }

    public object? this[string key]
    {
        get => _properties.TryGetValue(key, out var value) ? value : null;
        set
        {
            CheckValue(key, value);
            _properties[key] = value;
        }
    }

    public ICollection<string> Keys => _properties.Keys;

    public ICollection<object?> Values => _properties.Values;

    public int Count => _properties.Count;

    bool ICollection<KeyValuePair<string, object?>>.IsReadOnly => false;

    public string? GetString(string key) => Get<string>(key, "String");

    public bool? GetBoolean(string key) => GetStruct<bool>(key, "Boolean");

    public int? GetInt32(string key) => GetStruct<int>(key, "Int32");

    public long? GetInt64(string key) => GetStruct<long>(key, "Int64");

    public double? GetDouble(string key) => GetStruct<double>(key, "Double");

    public Guid? GetGuid(string key) => GetStruct<Guid>(key, "Guid");

    public byte[]? GetBinary(string key) => Get<byte[]>(key, "Binary");

    /// <summary>A DateTime property (stored as <see cref="DateTimeOffset"/> or <see cref="DateTime"/>), in UTC.</summary>
    public DateTimeOffset? GetDateTimeOffset(string key) => this[key] switch
    {
        null => null,
        DateTimeOffset dto => dto,
        DateTime dt => new DateTimeOffset(dt.ToUniversalTime(), TimeSpan.Zero),
        var other => throw WrongType(key, other, "DateTime"),
    };

    /// <summary>A DateTime property as a UTC <see cref="DateTime"/>.</summary>
    public DateTime? GetDateTime(string key) => GetDateTimeOffset(key)?.UtcDateTime;

    public void Add(string key, object? value)
    {
        CheckValue(key, value);
        _properties.Add(key, value);
    }

    public bool ContainsKey(string key) => _properties.ContainsKey(key);

    public bool Remove(string key) => _properties.Remove(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value) => _properties.TryGetValue(key, out value);

    public void Clear() => _properties.Clear();

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _properties.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    void ICollection<KeyValuePair<string, object?>>.Add(KeyValuePair<string, object?> item) => Add(item.Key, item.Value);

    bool ICollection<KeyValuePair<string, object?>>.Contains(KeyValuePair<string, object?> item) =>
        ((ICollection<KeyValuePair<string, object?>>)_properties).Contains(item);

    void ICollection<KeyValuePair<string, object?>>.CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex) =>
        ((ICollection<KeyValuePair<string, object?>>)_properties).CopyTo(array, arrayIndex);

    bool ICollection<KeyValuePair<string, object?>>.Remove(KeyValuePair<string, object?> item) =>
        ((ICollection<KeyValuePair<string, object?>>)_properties).Remove(item);

    /// <summary>Keys only: property values may be personal data and never belong in logs.</summary>
    public override string ToString()
    {
        var pk = _properties.TryGetValue(PartitionKeyName, out var p) ? p : null;
        var rk = _properties.TryGetValue(RowKeyName, out var r) ? r : null;
        return $"TableEntity {{ PartitionKey = {pk}, RowKey = {rk}, Properties = {_properties.Count} }}";
    }

    /// <summary>The Edm type name of a supported value (for messages and serialization).</summary>
    internal static string EdmTypeOf(object value) => value switch
    {
        string => "Edm.String",
        bool => "Edm.Boolean",
        int => "Edm.Int32",
        long => "Edm.Int64",
        double => "Edm.Double",
        DateTimeOffset or DateTime => "Edm.DateTime",
        Guid => "Edm.Guid",
        byte[] => "Edm.Binary",
        _ => value.GetType().Name,
    };

    private T? Get<T>(string key, string expected)
        where T : class => this[key] switch
        {
            null => null,
            T value => value,
            var other => throw WrongType(key, other, expected),
        };

    private T? GetStruct<T>(string key, string expected)
        where T : struct => this[key] switch
        {
            null => null,
            T value => value,
            var other => throw WrongType(key, other, expected),
        };

    private static InvalidOperationException WrongType(string key, object value, string expected) =>
        new($"Property '{key}' holds an {EdmTypeOf(value)} value, not an Edm.{expected}.");

    private static void CheckValue(string key, object? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        switch (key)
        {
            case PartitionKeyName or RowKeyName when value is not (string or null):
                throw new ArgumentException($"{key} must be a string, not {value.GetType().Name}.", nameof(value));
            case TimestampName when value is not (DateTimeOffset or DateTime or null):
                throw new ArgumentException($"Timestamp must be a DateTimeOffset, not {value.GetType().Name}.", nameof(value));
        }

        if (value is not (null or string or bool or int or long or double or DateTimeOffset or DateTime or Guid or byte[]))
        {
            throw new ArgumentException(
                $"Property '{key}' has a value of type {value.GetType().Name}, which Table Storage cannot store " +
                "(use string, bool, int, long, double, DateTimeOffset, DateTime, Guid or byte[]).",
                nameof(value));
        }
    }
}

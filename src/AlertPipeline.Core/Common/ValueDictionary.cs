using System.Collections;
using System.Collections.Immutable;

namespace AlertPipeline.Core.Common;

/// <summary>
/// An immutable string-to-string map with value equality and ordinal, sorted enumeration (so serialised output is
/// canonical). Used for template variables.
/// </summary>
public sealed class ValueDictionary : IReadOnlyDictionary<string, string>, IEquatable<ValueDictionary>
{
    private readonly ImmutableSortedDictionary<string, string> items;

    public ValueDictionary(IEnumerable<KeyValuePair<string, string>> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in items)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(value);
            if (!builder.TryAdd(key, value))
            {
                throw new ArgumentException($"Duplicate key '{key}'.", nameof(items));
            }
        }

        this.items = builder.ToImmutable();
    }

    public static readonly ValueDictionary Empty = new([]);

    public int Count => items.Count;

    public string this[string key] => items[key];

    public IEnumerable<string> Keys => items.Keys;

    public IEnumerable<string> Values => items.Values;

    public bool ContainsKey(string key) => items.ContainsKey(key);

    public bool TryGetValue(string key, out string value) => items.TryGetValue(key, out value!);

    /// <summary>A new map with <paramref name="other"/>'s entries added; on a clash <paramref name="other"/> wins.</summary>
    public ValueDictionary With(IEnumerable<KeyValuePair<string, string>> other)
    {
        var builder = items.ToBuilder();
        foreach (var (key, value) in other)
        {
            builder[key] = value;
        }

        return new ValueDictionary(builder);
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(ValueDictionary? other) =>
        other is not null && (ReferenceEquals(this, other) || (items.Count == other.items.Count && items.SequenceEqual(other.items)));

    public override bool Equals(object? obj) => Equals(obj as ValueDictionary);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (key, value) in items)
        {
            hash.Add(key, StringComparer.Ordinal);
            hash.Add(value, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <summary>Keys only: variable values may be personal, so they are not printed.</summary>
    public override string ToString() => $"{{{string.Join(", ", items.Keys)}}}";

    public static bool operator ==(ValueDictionary? left, ValueDictionary? right) => Equals(left, right);

    public static bool operator !=(ValueDictionary? left, ValueDictionary? right) => !Equals(left, right);
}

using System.Collections;

namespace AlertPipeline.Core.Scheduling;

/// <summary>
/// The reminders of one schedule: at least one, no two with the same code (they would share an occurrence key),
/// in the order given. Compares by content, so schedules built from the same data are equal.
/// </summary>
public sealed class ReminderSet : IReadOnlyList<Reminder>, IEquatable<ReminderSet>
{
    public const int MaxCount = 32;

    private readonly Reminder[] _items;

    public ReminderSet(IEnumerable<Reminder> reminders)
    {
        ArgumentNullException.ThrowIfNull(reminders);
        _items = reminders.ToArray();
        if (_items.Length == 0)
        {
            throw new ArgumentException("A schedule needs at least one reminder (use 'P0D' for the event time itself).", nameof(reminders));
        }

        if (_items.Length > MaxCount)
        {
            throw new ArgumentException($"A schedule has at most {MaxCount} reminders; got {_items.Length}.", nameof(reminders));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reminder in _items)
        {
            if (reminder is null)
            {
                throw new ArgumentException("A reminder in the list is null.", nameof(reminders));
            }

            if (!seen.Add(reminder.Code))
            {
                throw new ArgumentException($"Reminder '{reminder.Code}' appears twice.", nameof(reminders));
            }
        }
    }

    public int Count => _items.Length;

    public Reminder this[int index] => _items[index];

    /// <summary>Parses reminder codes, e.g. "P7D", "P1D", "PT2H", "P0D@07:00".</summary>
    public static ReminderSet Parse(params string[] codes) => new(codes.Select(Reminder.Parse));

    public IEnumerator<Reminder> GetEnumerator() => ((IEnumerable<Reminder>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(ReminderSet? other) => other is not null && _items.SequenceEqual(other._items);

    public override bool Equals(object? obj) => Equals(obj as ReminderSet);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var reminder in _items)
        {
            hash.Add(reminder);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(", ", _items.Select(r => r.Code));
}

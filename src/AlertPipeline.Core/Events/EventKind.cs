namespace AlertPipeline.Core.Events;

/// <summary>What an alert event is about. Wire names are kebab-case.</summary>
public enum EventKind
{
    /// <summary><c>anniversary</c>: a yearly commemoration (e.g. Zhanaozen, 16 December 2011).</summary>
    Anniversary,

    /// <summary><c>trial-date</c>: a hearing of jailed or prosecuted activists; reminders lead up to it.</summary>
    TrialDate,

    /// <summary><c>trial-postponed</c>: a hearing moved; the occurrence is the new date.</summary>
    TrialPostponed,

    /// <summary><c>trial-cancelled</c>: a hearing called off; the occurrence is the cancelled date.</summary>
    TrialCancelled,
}

public static class EventKindNames
{
    public static string ToWireName(this EventKind kind) => kind switch
    {
        EventKind.Anniversary => "anniversary",
        EventKind.TrialDate => "trial-date",
        EventKind.TrialPostponed => "trial-postponed",
        EventKind.TrialCancelled => "trial-cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown event kind."),
    };

    public static IReadOnlyList<string> WireNames { get; } =
        [.. Enum.GetValues<EventKind>().Select(k => k.ToWireName())];

    public static bool TryParse(string? value, out EventKind kind)
    {
        foreach (var candidate in Enum.GetValues<EventKind>())
        {
            if (candidate.ToWireName() == value)
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}

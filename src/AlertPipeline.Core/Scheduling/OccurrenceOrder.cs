namespace AlertPipeline.Core.Scheduling;

/// <summary>Deterministic order for occurrence lists: fire instant, then key (ordinal).</summary>
public sealed class OccurrenceOrder : IComparer<ScheduledOccurrence>
{
    public static OccurrenceOrder Instance { get; } = new();

    public int Compare(ScheduledOccurrence? x, ScheduledOccurrence? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var byTime = x.FireAt.CompareTo(y.FireAt);
        return byTime != 0 ? byTime : string.CompareOrdinal(x.Key.Value, y.Key.Value);
    }
}

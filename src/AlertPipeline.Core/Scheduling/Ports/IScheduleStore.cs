using NodaTime;

namespace AlertPipeline.Core.Scheduling.Ports;

/// <summary>The stored schedules (anniversaries and trials) with their alert content. Writes are ETag-conditional.</summary>
public interface IScheduleStore
{
    /// <summary>
    /// One page of the schedules that may still fire after <paramref name="firingAfter"/> (their
    /// <see cref="ScheduledAlert.FiresUntil"/> is later, or they never end), starting at <paramref name="continuationToken"/>.
    /// Rows that cannot be read back are listed in <see cref="SchedulePage.Unreadable"/>, not thrown.
    /// </summary>
    Task<SchedulePage> GetActivePageAsync(Instant firingAfter, int pageSize, string? continuationToken, CancellationToken cancellationToken = default);

    /// <summary>The schedule and its ETag, or null when there is none with this id.</summary>
    Task<StoredSchedule?> GetAsync(ScheduleId id, CancellationToken cancellationToken = default);

    /// <summary>Stores a new schedule; null when one with its id exists already.</summary>
    Task<StoredSchedule?> TryAddAsync(ScheduledAlert schedule, CancellationToken cancellationToken = default);

    /// <summary>Replaces the schedule if its ETag still is <paramref name="etag"/>; null when it changed in between (or is gone).</summary>
    Task<StoredSchedule?> TryReplaceAsync(ScheduledAlert schedule, string etag, CancellationToken cancellationToken = default);
}

public sealed record StoredSchedule(ScheduledAlert Schedule, string ETag);

/// <param name="Items">The schedules of this page.</param>
/// <param name="Unreadable">Rows of this page that are not a valid schedule, with the reason.</param>
/// <param name="ContinuationToken">Where the next page starts; null after the last page.</param>
public sealed record SchedulePage(IReadOnlyList<StoredSchedule> Items, IReadOnlyList<UnreadableSchedule> Unreadable, string? ContinuationToken);

/// <summary>A stored row that does not read back as a schedule (edited by hand, or written by a newer version).</summary>
public sealed record UnreadableSchedule(string ScheduleId, string Reason);

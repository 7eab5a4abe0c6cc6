using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Events;
using NodaTime;

namespace AlertPipeline.Core.Scheduling.Ports;

/// <summary>
/// The occurrences already dealt with, one record per <see cref="OccurrenceKey"/>. Recording is an insert-if-absent:
/// the first record of a key wins, which is how two ticks (or a tick and a trial change) agree on who fires what.
/// </summary>
public interface IScheduleOccurrenceStore
{
    /// <summary>Inserts the record unless the key has one; true when this call inserted it (the claim was won).</summary>
    Task<bool> TryRecordAsync(OccurrenceRecord record, CancellationToken cancellationToken = default);

    /// <summary>Every record of one schedule.</summary>
    Task<IReadOnlyList<OccurrenceRecord>> ListAsync(ScheduleId scheduleId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the record of <paramref name="key"/> if it is <see cref="OccurrenceState.Withdrawn"/> (ETag-conditional), so a
    /// later revision that plans the key again can fire it; false when there is no such record.
    /// </summary>
    Task<bool> ReinstateAsync(OccurrenceKey key, CancellationToken cancellationToken = default);
}

public enum OccurrenceState
{
    /// <summary>Claimed by a tick, which emitted its alert event.</summary>
    Fired,

    /// <summary>Left the grace period unclaimed (no tick ran in time): recorded, never sent.</summary>
    Missed,

    /// <summary>Withdrawn by a trial change before it fired: a tick still holding the old schedule cannot claim it.</summary>
    Withdrawn,
}

/// <param name="Key">The occurrence.</param>
/// <param name="State">Fired, missed or withdrawn.</param>
/// <param name="FireAt">When it was due.</param>
/// <param name="RecordedAt">When it was claimed (fired-at for a fired occurrence).</param>
/// <param name="AlertId">The emitted alert's id (fired only).</param>
/// <param name="EventId">The emitted alert event's event id (fired only).</param>
public sealed record OccurrenceRecord(
    OccurrenceKey Key,
    OccurrenceState State,
    Instant FireAt,
    Instant RecordedAt,
    AlertId? AlertId = null,
    EventId? EventId = null);

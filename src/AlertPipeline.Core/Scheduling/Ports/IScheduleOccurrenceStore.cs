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

    /// <summary>
    /// Inserts the record unless the key has one, like <see cref="TryRecordAsync"/>, and returns the record now stored with
    /// its ETag: this call's record when <see cref="OccurrenceInsert.Inserted"/>, otherwise the one that was there (null if it
    /// vanished meanwhile). The tick claims with it (<see cref="OccurrenceState.Claimed"/>) and finds unconfirmed claims.
    /// </summary>
    Task<OccurrenceInsert> InsertAsync(OccurrenceRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a <see cref="OccurrenceState.Claimed"/> record to <see cref="OccurrenceState.Fired"/> if its ETag still is
    /// <paramref name="etag"/>; false when it changed meanwhile (another host confirmed it first) or is gone.
    /// </summary>
    Task<bool> TryMarkFiredAsync(OccurrenceKey key, string etag, CancellationToken cancellationToken = default);

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
    /// <summary>Its alert event is on <c>alert-events</c> (enqueued by the claiming tick or a redelivery).</summary>
    Fired,

    /// <summary>Left the grace period unclaimed (no tick ran in time): recorded, never sent.</summary>
    Missed,

    /// <summary>Withdrawn by a trial change before it fired: a tick still holding the old schedule cannot claim it.</summary>
    Withdrawn,

    /// <summary>
    /// Claimed by a tick that has not yet confirmed enqueuing its event. A claim older than
    /// <see cref="ScheduleTickOptions.RedeliverAfter"/> is enqueued again by whichever tick finds it, then marked fired.
    /// </summary>
    Claimed,
}

/// <param name="Key">The occurrence.</param>
/// <param name="State">Claimed, fired, missed or withdrawn.</param>
/// <param name="FireAt">When it was due.</param>
/// <param name="RecordedAt">When it was recorded (the claim time for a claimed or fired occurrence).</param>
/// <param name="AlertId">The alert's id (claimed and fired only).</param>
/// <param name="EventId">The alert event's event id (claimed and fired only).</param>
public sealed record OccurrenceRecord(
    OccurrenceKey Key,
    OccurrenceState State,
    Instant FireAt,
    Instant RecordedAt,
    AlertId? AlertId = null,
    EventId? EventId = null);

/// <summary>A record as stored, with the ETag a conditional update needs.</summary>
public sealed record StoredOccurrence(OccurrenceRecord Record, string ETag);

/// <param name="Inserted">True when this call inserted the record (the claim was won).</param>
/// <param name="Current">The stored record: this call's, or the one found (null when it vanished between the insert and the read).</param>
public sealed record OccurrenceInsert(bool Inserted, StoredOccurrence? Current);

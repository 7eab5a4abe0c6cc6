using System.Collections.Concurrent;
using System.Globalization;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Core.Scheduling.Ports;
using NodaTime;

namespace AlertPipeline.UnitTests.Scheduling;

/// <summary>
/// The three schedule ports in memory with the storage semantics that matter: insert-if-absent claims, ETag-conditional
/// replaces and Claimed → Fired updates, a last tick that never goes back. Thread-safe, and every call yields first so concurrent callers interleave.
/// </summary>
internal sealed class InMemoryScheduleStorage : IScheduleStore, IScheduleOccurrenceStore, IScheduleTickStore
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, StoredSchedule> _schedules = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<OccurrenceKey, StoredOccurrence> _records = new();
    private Instant? _lastTick;
    private int _etag;

    public IReadOnlyCollection<OccurrenceRecord> Records => _records.Values.Select(r => r.Record).ToList();

    public Instant? LastTick => _lastTick;

    public async Task<SchedulePage> GetActivePageAsync(Instant firingAfter, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var start = continuationToken is null ? 0 : int.Parse(continuationToken, CultureInfo.InvariantCulture);
        lock (_gate)
        {
            var active = _schedules.Values.Where(s => s.Schedule.FiresUntil is not { } until || until > firingAfter).ToList();
            var page = active.Skip(start).Take(pageSize).ToList();
            var next = start + pageSize < active.Count ? (start + pageSize).ToString(CultureInfo.InvariantCulture) : null;
            return new SchedulePage(page, [], next);
        }
    }

    public async Task<StoredSchedule?> GetAsync(ScheduleId id, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        lock (_gate)
        {
            return _schedules.GetValueOrDefault(id.Value);
        }
    }

    public async Task<StoredSchedule?> TryAddAsync(ScheduledAlert schedule, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        lock (_gate)
        {
            var stored = new StoredSchedule(schedule, NextETag());
            return _schedules.TryAdd(schedule.Id.Value, stored) ? stored : null;
        }
    }

    public async Task<StoredSchedule?> TryReplaceAsync(ScheduledAlert schedule, string etag, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        lock (_gate)
        {
            if (!_schedules.TryGetValue(schedule.Id.Value, out var current) || current.ETag != etag)
            {
                return null;
            }

            return _schedules[schedule.Id.Value] = new StoredSchedule(schedule, NextETag());
        }
    }

    public async Task<bool> TryRecordAsync(OccurrenceRecord record, CancellationToken cancellationToken = default) =>
        (await InsertAsync(record, cancellationToken)).Inserted;

    public async Task<OccurrenceInsert> InsertAsync(OccurrenceRecord record, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var stored = new StoredOccurrence(record, NextETag());
        return _records.TryAdd(record.Key, stored)
            ? new OccurrenceInsert(true, stored)
            : new OccurrenceInsert(false, _records.GetValueOrDefault(record.Key));
    }

    public async Task<bool> TryMarkFiredAsync(OccurrenceKey key, string etag, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return _records.TryGetValue(key, out var current) && current.ETag == etag
            && _records.TryUpdate(key, new StoredOccurrence(current.Record with { State = OccurrenceState.Fired }, NextETag()), current);
    }

    public async Task<IReadOnlyList<OccurrenceRecord>> ListAsync(ScheduleId scheduleId, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return _records.Values.Select(r => r.Record).Where(r => r.Key.ScheduleId == scheduleId).ToList();
    }

    public async Task<bool> ReinstateAsync(OccurrenceKey key, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return _records.TryGetValue(key, out var stored) && stored.Record.State == OccurrenceState.Withdrawn
            && _records.TryRemove(new KeyValuePair<OccurrenceKey, StoredOccurrence>(key, stored));
    }

    public async Task<Instant?> GetLastTickAsync(CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        lock (_gate)
        {
            return _lastTick;
        }
    }

    public async Task<Instant> AdvanceLastTickAsync(Instant tick, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        lock (_gate)
        {
            if (_lastTick is not { } last || last < tick)
            {
                _lastTick = tick;
            }

            return _lastTick.Value;
        }
    }

    public StoredSchedule Add(ScheduledAlert schedule) =>
        TryAddAsync(schedule).GetAwaiter().GetResult() ?? throw new InvalidOperationException($"{schedule.Id} exists");

    /// <summary>Puts a record in as another host would have left it (e.g. a claim whose host died before confirming).</summary>
    public void Put(OccurrenceRecord record) => _records[record.Key] = new StoredOccurrence(record, NextETag());

    private string NextETag() => $"W/\"{Interlocked.Increment(ref _etag)}\"";
}

using System.Collections.Concurrent;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// A small thread-safe cache with a capacity and an optional time to live. When full it is emptied (simple, bounded, and
/// good enough for the handful of alerts and reference rows a worker uses at a time). Misses are not coalesced: two
/// concurrent misses both load, which is harmless for immutable rows.
/// </summary>
internal sealed class BoundedCache<TKey, TValue>(int capacity, TimeSpan? timeToLive, TimeProvider time)
    where TKey : notnull
    where TValue : class
{
    private readonly ConcurrentDictionary<TKey, (TValue Value, DateTimeOffset StoredAt)> _entries = new();

    public async Task<TValue?> GetOrLoadAsync(TKey key, Func<TKey, CancellationToken, Task<TValue?>> load, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var entry) && (timeToLive is not { } ttl || now - entry.StoredAt < ttl))
        {
            return entry.Value;
        }

        var value = await load(key, cancellationToken).ConfigureAwait(false);
        if (value is not null)
        {
            if (_entries.Count >= capacity)
            {
                _entries.Clear();
            }

            _entries[key] = (value, now);
        }

        return value;
    }
}

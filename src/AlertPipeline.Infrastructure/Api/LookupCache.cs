using System.Collections.Concurrent;

namespace AlertPipeline.Infrastructure.Api;

/// <summary>
/// A per-process cache of lookups that change rarely (<see cref="ApiLookupCache"/>: keys, campaign roles, unions, alerts).
/// <list type="bullet">
/// <item>An entry answers for <c>lifetime</c> after its read came back; an ask in the second half of that life is answered
/// from it and starts one read in the background that replaces it, so steady traffic does not wait for these reads and
/// no answer is older than <c>lifetime</c>.</item>
/// <item>Concurrent asks for a missing or expired entry share one read (single flight). The shared read does not stop when
/// one asker gives up (each waits with its own cancellation), so a read that outlived a request is there for the next;
/// it gives up by itself after <see cref="ReadGiveUpAfter"/>.</item>
/// <item>A read that fails or finds nothing is not kept: the next ask reads again. An entry is never served past its
/// lifetime, not even when its refresh fails.</item>
/// <item><see cref="Evict"/> forgets an entry at once; a read in flight when it was evicted is not kept.</item>
/// <item>At most <c>capacity</c> entries: when full, the expired go first, then the one closest to expiry.</item>
/// </list>
/// A <c>lifetime</c> of zero turns it off: every ask reads, with its own cancellation.
/// </summary>
public sealed class LookupCache<TKey, TValue>(TimeSpan lifetime, int capacity, TimeProvider time)
    where TKey : notnull
    where TValue : class
{
    /// <summary>How long a shared read may take before it is cancelled (a hung connection), so the next ask reads again.</summary>
    public static readonly TimeSpan ReadGiveUpAfter = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();

    public bool Enabled => lifetime > TimeSpan.Zero;

    /// <summary>Entries held (in flight ones too).</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// The value kept for <paramref name="key"/>, or what <paramref name="read"/> returns (null: nothing found, not kept).
    /// </summary>
    public async Task<TValue?> GetAsync(TKey key, Func<CancellationToken, Task<TValue?>> read, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (!Enabled)
        {
            return await read(cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                if (!entry.Value.IsCompleted)
                {
                    return await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                var now = time.GetUtcNow().UtcTicks;
                if (now < entry.ExpiresAt)
                {
                    if (now >= entry.ExpiresAt - (lifetime.Ticks / 2))
                    {
                        Refresh(key, entry, read);
                    }

                    return entry.Value.Result;
                }

                var replacement = new Entry();
                if (_entries.TryUpdate(key, replacement, entry))
                {
                    _ = FillAsync(key, replacement, read);
                    return await replacement.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            MakeRoom();
            var added = new Entry();
            if (_entries.TryAdd(key, added))
            {
                _ = FillAsync(key, added, read);
                return await added.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Forgets <paramref name="key"/>'s entry (the thing it holds was just changed through this process).</summary>
    public void Evict(TKey key) => _entries.TryRemove(key, out _);

    /// <summary>Forgets every entry whose key matches.</summary>
    public void EvictWhere(Func<TKey, bool> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        foreach (var key in _entries.Keys)
        {
            if (match(key))
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private async Task FillAsync(TKey key, Entry entry, Func<CancellationToken, Task<TValue?>> read)
    {
        await ReadAsync(entry, read).ConfigureAwait(false);
        if (!entry.Kept)
        {
            _entries.TryRemove(new KeyValuePair<TKey, Entry>(key, entry));
            _ = entry.Value.Exception; // thrown at every asker still waiting; observed here for one that gave up
        }
    }

    /// <summary>Reads once in the background for an entry in the second half of its life; the entry stays until replaced.</summary>
    private void Refresh(TKey key, Entry entry, Func<CancellationToken, Task<TValue?>> read)
    {
        if (Interlocked.Exchange(ref entry.Refreshing, 1) == 1)
        {
            return;
        }

        _ = RefreshAsync();

        async Task RefreshAsync()
        {
            var next = new Entry();
            await ReadAsync(next, read).ConfigureAwait(false);
            if (next.Kept)
            {
                // Only over the entry it refreshes: an eviction meanwhile removed that one, and this read may predate the change.
                _entries.TryUpdate(key, next, entry);
            }
            else if (next.Value.IsCompletedSuccessfully)
            {
                // Gone from the table: forget it now rather than at expiry.
                _entries.TryRemove(new KeyValuePair<TKey, Entry>(key, entry));
            }
            else
            {
                // The old entry answers until it expires; the failure is not thrown at anyone.
                _ = next.Value.Exception;
            }
        }
    }

    private async Task ReadAsync(Entry entry, Func<CancellationToken, Task<TValue?>> read)
    {
        using var giveUp = new CancellationTokenSource(ReadGiveUpAfter, time);
        try
        {
            var value = await read(giveUp.Token).ConfigureAwait(false);
            entry.Complete(value, value is null ? 0 : (time.GetUtcNow() + lifetime).UtcTicks);
        }
        catch (Exception ex)
        {
            entry.Fail(ex);
        }
    }

    private void MakeRoom()
    {
        if (_entries.Count < capacity)
        {
            return;
        }

        var now = time.GetUtcNow().UtcTicks;
        foreach (var pair in _entries)
        {
            if (pair.Value.Value.IsCompleted && pair.Value.ExpiresAt <= now)
            {
                _entries.TryRemove(pair);
            }
        }

        while (_entries.Count >= capacity)
        {
            var oldest = _entries.Where(p => p.Value.Value.IsCompleted).MinBy(p => p.Value.ExpiresAt);
            if (oldest.Value is null || !_entries.TryRemove(oldest))
            {
                // Only reads in flight (at most one per key asked at once): they make room when they end.
                return;
            }
        }
    }

    private sealed class Entry
    {
        private readonly TaskCompletionSource<TValue?> _read = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _expiresAt;

        /// <summary>0 or 1: a background refresh of this entry has started.</summary>
        public int Refreshing;

        public Task<TValue?> Value => _read.Task;

        /// <summary>UTC ticks until which the value answers; 0 while reading, and for nothing found or a failure.</summary>
        public long ExpiresAt => Volatile.Read(ref _expiresAt);

        /// <summary>The read found something: the entry answers until it expires.</summary>
        public bool Kept => Value.IsCompletedSuccessfully && Value.Result is not null;

        public void Complete(TValue? value, long expiresAt)
        {
            Volatile.Write(ref _expiresAt, expiresAt);
            _read.SetResult(value);
        }

        public void Fail(Exception exception) => _read.SetException(exception);
    }
}

using AlertPipeline.Core.Ports;
using NodaTime;

namespace AlertPipeline.UnitTests.Pipeline.QuietHours;

/// <summary>A list-backed <see cref="IDeferredDispatchStore"/> with the repository's identity (key + due time).</summary>
internal sealed class InMemoryDeferredDispatchStore : IDeferredDispatchStore
{
    private readonly Lock _gate = new();
    private readonly List<DeferredDispatch> _entries = [];

    public IReadOnlyList<DeferredDispatch> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    public Task AddAsync(IReadOnlyList<DeferredDispatch> entries, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (var entry in entries)
            {
                _entries.RemoveAll(e => Same(e, entry));
                _entries.Add(entry);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DeferredDispatch>> GetDueAsync(Instant now, int max, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<DeferredDispatch>>([.. _entries.Where(e => e.DueAt <= now).OrderBy(e => e.DueAt).Take(max)]);
        }
    }

    public async Task MoveAsync(DeferredDispatch entry, DeferredDispatch next, CancellationToken cancellationToken = default)
    {
        await AddAsync([next], cancellationToken);
        if (!Same(entry, next))
        {
            await RemoveAsync(entry, cancellationToken);
        }
    }

    public Task RemoveAsync(DeferredDispatch entry, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _entries.RemoveAll(e => Same(e, entry));
        }

        return Task.CompletedTask;
    }

    private static bool Same(DeferredDispatch a, DeferredDispatch b) => a.Key == b.Key && a.DueAt == b.DueAt;
}

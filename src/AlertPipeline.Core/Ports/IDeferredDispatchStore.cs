using AlertPipeline.Core.Alerts;
using NodaTime;

namespace AlertPipeline.Core.Ports;

/// <summary>
/// An SMS dispatch held back by quiet hours: the delivery <see cref="Key"/> is to be dispatched at <see cref="DueAt"/>.
/// After a release the entry stays, moved to its next check (<see cref="Releases"/> &gt; 0), until the delivery row has
/// left Pending — so a dispatch message lost after the release is emitted again, and none is ever skipped.
/// </summary>
/// <param name="Key">The Deliveries row (its SMS).</param>
/// <param name="DueAt">When to act on the entry: the row's <c>NotBefore</c> first, then each re-check.</param>
/// <param name="NotBefore">The row's <c>NotBefore</c> (the end of the contact's quiet hours).</param>
/// <param name="Releases">Dispatch messages emitted for it so far (0: not released yet).</param>
/// <param name="ReleasedAt">When it was last released (null: never).</param>
public sealed record DeferredDispatch(DeliveryKey Key, Instant DueAt, Instant NotBefore, int Releases = 0, Instant? ReleasedAt = null)
{
    public override string ToString() => $"{Key} due {DueAt} (releases {Releases})";
}

/// <summary>
/// The <c>DeferredDispatches</c> table: deferred SMS dispatches, keyed so that "everything due by now" is one cheap range
/// query. Writes are idempotent (the same entry written twice is one entry).
/// </summary>
public interface IDeferredDispatchStore
{
    /// <summary>Records the entries (insert or replace; an entry is identified by its key and <see cref="DeferredDispatch.DueAt"/>).</summary>
    Task AddAsync(IReadOnlyList<DeferredDispatch> entries, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> entries with <see cref="DeferredDispatch.DueAt"/> at or before <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<DeferredDispatch>> GetDueAsync(Instant now, int max, CancellationToken cancellationToken = default);

    /// <summary>Moves <paramref name="entry"/> to <paramref name="next"/> (a new due time): the new entry is written before the old one is
    /// removed, so a failure in between leaves a duplicate (harmless), never nothing.</summary>
    Task MoveAsync(DeferredDispatch entry, DeferredDispatch next, CancellationToken cancellationToken = default);

    /// <summary>Removes the entry (absent is fine).</summary>
    Task RemoveAsync(DeferredDispatch entry, CancellationToken cancellationToken = default);
}

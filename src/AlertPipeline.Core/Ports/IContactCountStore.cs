using AlertPipeline.Core.Contacts;
using NodaTime;

namespace AlertPipeline.Core.Ports;

/// <summary>
/// Each branch's contact count as last known, kept on its <c>Branches</c> row (docs/storage.md). Fan-out sizes an alert's
/// partition layout with it instead of counting the branch on the event's critical path. It is approximate by design: the
/// layout only affects speed, never correctness. It is refreshed where the number is known anyway (the fan-out chunk that
/// reads a branch's last page, the end of an import job); single contact writes and erasure leave it stale until then.
/// </summary>
public interface IContactCountStore
{
    /// <summary>The branch's stored count, or null when none is stored (a branch written before counts were kept, or never counted).</summary>
    Task<BranchContactCount?> GetAsync(UnionId unionId, BranchId branchId, CancellationToken cancellationToken = default);

    /// <summary>Stores the branch's count; does nothing when the branch has no row (it was deleted, or never added).</summary>
    Task RecordAsync(UnionId unionId, BranchId branchId, BranchContactCount count, CancellationToken cancellationToken = default);
}

/// <summary>How many contacts a branch held when <see cref="CountedAt"/> (read or counted then; possibly stale since).</summary>
public sealed record BranchContactCount
{
    public BranchContactCount(int contacts, Instant countedAt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(contacts);
        Contacts = contacts;
        CountedAt = countedAt;
    }

    public int Contacts { get; }

    public Instant CountedAt { get; }
}

using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Events;

/// <summary>A branch named by its union and its id (branch ids are unique within a union only).</summary>
public sealed record BranchRef(UnionId UnionId, BranchId BranchId);

/// <summary>
/// Who an alert goes to: members covered by the campaign's subscriptions, optionally narrowed. With no
/// <see cref="UnionIds"/> and no <see cref="Branches"/> it is everyone subscribed; otherwise a member is included when
/// their union is listed or their (union, branch) is listed. Narrowing never adds anyone the campaign's subscriptions
/// do not cover.
/// </summary>
public sealed record Audience
{
    public Audience(IEnumerable<UnionId> unionIds, IEnumerable<BranchRef> branches)
    {
        UnionIds = ValueList.From(unionIds.Distinct());
        Branches = ValueList.From(branches.Distinct());
    }

    public static Audience Everyone { get; } = new([], []);

    public ValueList<UnionId> UnionIds { get; }

    public ValueList<BranchRef> Branches { get; }

    public bool IsEveryone => UnionIds.Count == 0 && Branches.Count == 0;

    /// <summary>Whether a member of this union and branch, already covered by a subscription, is in the audience.</summary>
    public bool Includes(UnionId unionId, BranchId branchId) =>
        IsEveryone || UnionIds.Contains(unionId) || Branches.Contains(new BranchRef(unionId, branchId));
}

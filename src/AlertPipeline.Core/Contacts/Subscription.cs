namespace AlertPipeline.Core.Contacts;

/// <summary>
/// A union's (or one of its branches') subscription to a campaign. <see cref="BranchId"/> null means every branch of
/// the union.
/// </summary>
public sealed record Subscription
{
    public Subscription(CampaignId campaignId, UnionId unionId, BranchId? branchId = null)
    {
        CampaignId = campaignId;
        UnionId = unionId;
        BranchId = branchId;
    }

    public CampaignId CampaignId { get; init => field = DisplayText.NotNull(value, nameof(CampaignId)); }

    public UnionId UnionId { get; init => field = DisplayText.NotNull(value, nameof(UnionId)); }

    public BranchId? BranchId { get; init; }

    public bool IsWholeUnion => BranchId is null;

    /// <summary>Whether this subscription covers a member of the given union and branch.</summary>
    public bool Covers(UnionId unionId, BranchId branchId) =>
        UnionId == unionId && (BranchId is null || BranchId == branchId);
}

using AlertPipeline.Core.Events;

namespace AlertPipeline.Core.Contacts;

/// <summary>What a union is to a campaign.</summary>
public enum CampaignRole
{
    /// <summary>Neither owner nor subscriber: the campaign's routes answer it 404.</summary>
    None,

    /// <summary>The owning union: changes schedules, admits unions, sends to the whole audience.</summary>
    Owner,

    /// <summary>A union (or one of its branches) subscribed: reads schedules, previews and sends to its own union only.</summary>
    Subscriber,
}

/// <summary>
/// Where a union stands in joining a campaign (one <c>CampaignMembers</c> row per campaign and union). Both sides must say
/// yes: the owner's union-admin by inviting (or approving), the union's union-admin by asking (or accepting). Whichever
/// says it second makes the row <see cref="Approved"/>.
/// </summary>
public enum MembershipState
{
    /// <summary>The owner invited the union; the union has not accepted yet.</summary>
    Invited,

    /// <summary>The union asked to join; the owner has not approved yet.</summary>
    Requested,

    /// <summary>Both agreed: the union's union-admin may subscribe the union or its branches.</summary>
    Approved,
}

/// <summary>
/// The cross-union rules of a campaign (docs/domain.md "Campaign ownership"): who owns it, who may join, who may change
/// its schedules and whom a union's send may reach. Pure functions over the campaign, its subscriptions and membership rows.
/// </summary>
public static class CampaignRules
{
    /// <summary>The owner; otherwise a subscriber when any subscription (whole union or a branch) is the union's; otherwise none.</summary>
    public static CampaignRole RoleOf(Campaign campaign, UnionId unionId, IEnumerable<Subscription> subscriptions)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(unionId);
        ArgumentNullException.ThrowIfNull(subscriptions);
        if (campaign.OwnerUnionId == unionId)
        {
            return CampaignRole.Owner;
        }

        return subscriptions.Any(s => s.CampaignId == campaign.CampaignId && s.UnionId == unionId) ? CampaignRole.Subscriber : CampaignRole.None;
    }

    /// <summary>Only the owner's organisers create, postpone or cancel the campaign's schedules.</summary>
    public static bool MayChangeSchedules(CampaignRole role) => role == CampaignRole.Owner;

    /// <summary>
    /// Whether the union's union-admin may add a subscription (whole union or a branch): the owner always; anyone when the
    /// campaign is open; a union whose membership is approved; a union already subscribed (adding another branch).
    /// </summary>
    public static bool MaySubscribe(Campaign campaign, UnionId unionId, MembershipState? membership, CampaignRole role)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(unionId);
        return role != CampaignRole.None || campaign.IsOpen || membership == MembershipState.Approved;
    }

    /// <summary>The owner invites (or approves a request): a request becomes approved, otherwise the union is invited.</summary>
    public static MembershipState OwnerAdmits(MembershipState? current) =>
        current is MembershipState.Requested or MembershipState.Approved ? MembershipState.Approved : MembershipState.Invited;

    /// <summary>The union asks to join (or accepts an invitation): an invitation becomes approved, otherwise it is a request.</summary>
    public static MembershipState UnionAsks(MembershipState? current) =>
        current is MembershipState.Invited or MembershipState.Approved ? MembershipState.Approved : MembershipState.Requested;

    /// <summary>
    /// The audience a send by <paramref name="caller"/> may have. The owner's is as asked (the campaign's subscriptions
    /// still bound it at fan-out). A subscriber's must name only its own union and branches: "everyone" becomes its own
    /// union, and an audience naming another union (or another union's branch) is refused (null) — so the event itself,
    /// not only the API, keeps the send inside the caller's union. Nobody else may send (null).
    /// </summary>
    public static Audience? AudienceFor(CampaignRole role, UnionId caller, Audience requested)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(requested);
        return role switch
        {
            CampaignRole.Owner => requested,
            CampaignRole.Subscriber when requested.IsEveryone => new Audience([caller], []),
            CampaignRole.Subscriber when requested.UnionIds.All(u => u == caller) && requested.Branches.All(b => b.UnionId == caller) => requested,
            _ => null,
        };
    }
}

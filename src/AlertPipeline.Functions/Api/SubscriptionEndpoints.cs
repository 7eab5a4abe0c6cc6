using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// A union's view of the campaigns (any key) and its subscriptions (union-admin): whole union or one branch, in the
/// <c>Subscriptions</c> table's layout. A union subscribes only to a campaign it owns, one that is open, or one whose owner
/// admitted it (<see cref="CampaignRules.MaySubscribe"/>); any other campaign answers the same 404 as a missing one.
/// Unsubscribing removes only that row; the campaign's schedules stay.
/// </summary>
internal static class SubscriptionEndpoints
{
    /// <param name="Role">
    /// <c>owner</c>, <c>subscriber</c>, <c>invited</c> (the owner invited the union), <c>requested</c> (the union asked),
    /// <c>approved</c> (it may subscribe), <c>open</c> (anyone may subscribe) or <c>none</c>.
    /// </param>
    public sealed record UnionCampaignView(string CampaignId, string Name, bool Subscribed, string Role, bool Open);

    public sealed record SubscriptionView(string CampaignId, string? BranchId);

    public static Task<IResult> UnionCampaignsAsync(HttpContext context, string union, ApiGate gate, CampaignAdmin admin) =>
        gate.RunAsync(context, union, ApiAccess.AnyKey, string.Empty, async (unionId, _) =>
        {
            var campaigns = await admin.GetCampaignsAsync(context.RequestAborted);
            var subscribed = (await admin.GetUnionSubscriptionsAsync(unionId, context.RequestAborted)).Select(s => s.CampaignId).ToHashSet();
            var memberships = (await admin.GetUnionMembershipsAsync(unionId, context.RequestAborted)).ToDictionary(m => m.CampaignId, m => (MembershipState?)m.State);
            return Results.Ok(new
            {
                items = campaigns.Select(c => new UnionCampaignView(
                    c.CampaignId.Value, c.Name, subscribed.Contains(c.CampaignId), RoleName(c, unionId, subscribed.Contains(c.CampaignId), memberships.GetValueOrDefault(c.CampaignId)), c.IsOpen)),
            });
        });

    private static string RoleName(Campaign campaign, UnionId unionId, bool subscribed, MembershipState? membership) =>
        campaign.OwnerUnionId == unionId ? "owner"
        : subscribed ? "subscriber"
        : membership is { } state ? state.ToString().ToLowerInvariant()
        : campaign.IsOpen ? "open"
        : "none";

    public static Task<IResult> SubscriptionsAsync(HttpContext context, string union, ApiGate gate, CampaignAdmin admin) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdmin, string.Empty, async (unionId, _) =>
        {
            var subscriptions = await admin.GetUnionSubscriptionsAsync(unionId, context.RequestAborted);
            return Results.Ok(new { items = subscriptions.Select(s => new SubscriptionView(s.CampaignId.Value, s.BranchId?.Value)) });
        });

    public static Task<IResult> SubscriptionAsync(HttpContext context, string union, string campaign, ApiGate gate, CampaignAdmin admin) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdmin, $"campaign={KeyEndpoints.Safe(campaign)}", (unionId, _) =>
            WriteAsync(context, admin, campaign, unionId, branchId: null));

    public static Task<IResult> BranchSubscriptionAsync(
        HttpContext context, string union, string branch, string campaign, ApiGate gate, CampaignAdmin admin, MembershipAdmin membership) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdmin, $"branch={KeyEndpoints.Safe(branch)} campaign={KeyEndpoints.Safe(campaign)}", async (unionId, _) =>
            BranchId.TryParse(branch, out var branchId) && await membership.GetBranchAsync(unionId, branchId, context.RequestAborted) is not null
                ? await WriteAsync(context, admin, campaign, unionId, branchId)
                : ApiProblems.NotFound());

    /// <summary>
    /// PUT subscribes (idempotent, 204) when the union may (owner, open campaign, approved membership, already subscribed),
    /// else 404; DELETE removes that one subscription (204, or 404 when there was none).
    /// </summary>
    private static async Task<IResult> WriteAsync(HttpContext context, CampaignAdmin admin, string campaign, UnionId unionId, BranchId? branchId)
    {
        if (!CampaignId.TryParse(campaign, out var campaignId) || await admin.GetRoleAsync(unionId, campaignId, context.RequestAborted) is not { } found)
        {
            return ApiProblems.NotFound();
        }

        var subscription = new Subscription(campaignId, unionId, branchId);
        if (HttpMethods.IsDelete(context.Request.Method))
        {
            return await admin.UnsubscribeAsync(subscription, context.RequestAborted) == WriteOutcome.Done ? Results.NoContent() : ApiProblems.NotFound();
        }

        // Without the owner's approval (or an open campaign) the campaign looks exactly like one that does not exist.
        var membership = await admin.GetMemberAsync(campaignId, unionId, context.RequestAborted);
        if (!CampaignRules.MaySubscribe(found.Campaign, unionId, membership?.State, found.Role))
        {
            return ApiProblems.NotFound();
        }

        await admin.SubscribeAsync(subscription, context.RequestAborted);
        return Results.NoContent();
    }
}

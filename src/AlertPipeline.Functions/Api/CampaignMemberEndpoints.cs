using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// Who may join a campaign (union-admin keys; docs/api.md "Campaign ownership"). The owner's union-admin invites or
/// approves (<c>PUT …/members/{member}</c>), removes (<c>DELETE</c>), lists (<c>GET …/members</c>) and opens or closes the
/// campaign (<c>PUT</c>/<c>DELETE …/open</c>); another union's union-admin asks or accepts (<c>PUT …/membership</c>) and
/// withdraws, declines or leaves (<c>DELETE</c>). Each side's step is audited in its own log and, when it succeeded, in the
/// other side's. Owner-only routes answer a subscribing union 403 and any other union the standard 404.
/// </summary>
internal static class CampaignMemberEndpoints
{
    /// <param name="State"><c>invited</c>, <c>requested</c>, <c>approved</c>; null for a union subscribed without a row (open campaign, or before owners).</param>
    public sealed record MemberView(
        string CampaignId, string UnionId, string? State, bool Subscribed, DateTimeOffset? InvitedAt = null, DateTimeOffset? RequestedAt = null, DateTimeOffset? ApprovedAt = null);

    public static Task<IResult> MembersAsync(HttpContext context, string union, string campaign, ApiGate gate, CampaignAdmin admin) =>
        RunForOwnerAsync(context, union, campaign, string.Empty, gate, admin, async (found, _, _) =>
        {
            var rows = (await admin.GetMembersAsync(found.CampaignId, context.RequestAborted)).ToDictionary(m => m.UnionId);
            var subscribers = (await admin.GetSubscriberUnionsAsync(found, context.RequestAborted)).ToHashSet();
            var items = rows.Keys.Union(subscribers).OrderBy(u => u.Value, StringComparer.Ordinal).Select(u =>
                rows.TryGetValue(u, out var m) ? View(m, subscribers.Contains(u)) : new MemberView(found.CampaignId.Value, u.Value, null, Subscribed: true));
            return Results.Ok(new { items });
        });

    public static Task<IResult> MemberAsync(HttpContext context, string union, string campaign, string member, ApiGate gate, CampaignAdmin admin, MembershipAdmin membership, TimeProvider time) =>
        RunForOwnerAsync(context, union, campaign, $"member={KeyEndpoints.Safe(member)}", gate, admin, async (found, owner, caller) =>
        {
            if (!UnionId.TryParse(member, out var memberId) || await membership.GetUnionAsync(memberId, context.RequestAborted) is null)
            {
                return ApiProblems.NotFound();
            }

            if (memberId == owner)
            {
                return ApiProblems.Conflict("The owner union needs no invitation.");
            }

            IResult result;
            if (HttpMethods.IsDelete(context.Request.Method))
            {
                result = await admin.RemoveMemberAsync(found.CampaignId, memberId, context.RequestAborted) ? Results.NoContent() : ApiProblems.NotFound();
            }
            else
            {
                var changed = await admin.ChangeMemberAsync(found.CampaignId, memberId, CampaignRules.OwnerAdmits, time.GetUtcNow(), context.RequestAborted);
                var subscribed = (await admin.GetSubscriberUnionsAsync(found, context.RequestAborted)).Contains(memberId);
                result = Results.Ok(View(changed, subscribed));
            }

            await gate.AuditAlsoAsync(context, memberId, caller, Targets(found.CampaignId, $"member={memberId}"), result, owner);
            return result;
        });

    public static Task<IResult> MembershipAsync(HttpContext context, string union, string campaign, ApiGate gate, CampaignAdmin admin, TimeProvider time) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdmin, Targets(campaign, "membership"), async (unionId, caller) =>
        {
            if (!CampaignId.TryParse(campaign, out var campaignId) || await admin.GetRoleAsync(unionId, campaignId, context.RequestAborted) is not { } found)
            {
                return ApiProblems.NotFound();
            }

            if (found.Role == CampaignRole.Owner)
            {
                return ApiProblems.Conflict("The owner union is always a member of its campaign.");
            }

            IResult result;
            if (HttpMethods.IsDelete(context.Request.Method))
            {
                result = await admin.RemoveMemberAsync(campaignId, unionId, context.RequestAborted) ? Results.NoContent() : ApiProblems.NotFound();
            }
            else if (found.Campaign.OwnerUnionId is null)
            {
                return ApiProblems.Conflict("The campaign has no owner union to approve a request; ask the operators to assign one.");
            }
            else
            {
                var changed = await admin.ChangeMemberAsync(campaignId, unionId, CampaignRules.UnionAsks, time.GetUtcNow(), context.RequestAborted);
                result = Results.Ok(View(changed, found.Role == CampaignRole.Subscriber));
            }

            if (found.Campaign.OwnerUnionId is { } owner)
            {
                await gate.AuditAlsoAsync(context, owner, caller, Targets(campaign, $"member={unionId}"), result, unionId);
            }

            return result;
        });

    public static Task<IResult> OpenAsync(HttpContext context, string union, string campaign, ApiGate gate, CampaignAdmin admin) =>
        RunForOwnerAsync(context, union, campaign, HttpMethods.IsDelete(context.Request.Method) ? "close" : "open", gate, admin, async (found, _, _) =>
        {
            await admin.SetOpenAsync(found.CampaignId, open: !HttpMethods.IsDelete(context.Request.Method), context.RequestAborted);
            return Results.NoContent();
        });

    /// <summary>A union-admin route of the campaign's owner: a subscribing union gets 403, any other union the standard 404.</summary>
    private static Task<IResult> RunForOwnerAsync(
        HttpContext context, string union, string campaign, string targets, ApiGate gate, CampaignAdmin admin, Func<Campaign, UnionId, ApiCaller, Task<IResult>> action) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdmin, Targets(campaign, targets), async (unionId, caller) =>
        {
            if (!CampaignId.TryParse(campaign, out var campaignId) || await admin.GetRoleAsync(unionId, campaignId, context.RequestAborted) is not { } found
                || found.Role == CampaignRole.None)
            {
                return ApiProblems.NotFound();
            }

            return found.Role == CampaignRole.Owner
                ? await action(found.Campaign, unionId, caller)
                : ApiProblems.Forbidden("Only the campaign's owner union may admit unions or open the campaign.");
        });

    private static string Targets(CampaignId campaign, string more) => Targets(campaign.Value, more);

    private static string Targets(string campaign, string more) =>
        $"campaign={(CampaignId.TryParse(campaign, out _) ? campaign : "(invalid)")}" + (more.Length > 0 ? " " + more : string.Empty);

    private static MemberView View(CampaignMember m, bool subscribed) => new(
        m.CampaignId.Value, m.UnionId.Value, m.State.ToString().ToLowerInvariant(), subscribed, m.InvitedAt, m.RequestedAt, m.ApprovedAt);
}

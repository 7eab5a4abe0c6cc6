using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Persistence;
using Azure;
using Azure.Data.Tables;

namespace AlertPipeline.Infrastructure.Api;

/// <summary>A union's membership row of a campaign (<c>CampaignMembers</c>, docs/storage.md): its state and when each side said yes.</summary>
public sealed record CampaignMember(
    CampaignId CampaignId, UnionId UnionId, MembershipState State, DateTimeOffset? InvitedAt, DateTimeOffset? RequestedAt, DateTimeOffset? ApprovedAt);

/// <summary>
/// The API's writes and reads of <c>Unions</c>, <c>Campaigns</c>, <c>CampaignMembers</c> and <c>Subscriptions</c>, in exactly the layout
/// <see cref="MembershipRepository"/> reads (docs/storage.md): creating unions and campaigns (insert-if-absent, so a
/// second create is a conflict, never an overwrite), and a union's subscriptions. Read requests may take a campaign role or
/// a union from <see cref="ApiLookupCache"/> (<see cref="GetRoleCachedAsync"/>, <see cref="GetUnionCachedAsync"/>); every
/// write here that can change them evicts them there at once.
/// </summary>
public sealed class CampaignAdmin(PipelineTables tables, MembershipRepository membership, ApiLookupCache lookups)
{
    /// <summary>Audit partition of writes that belong to no union (campaigns); no union may take this id.</summary>
    public static readonly UnionId SystemAuditPartition = UnionId.Parse("system");

    /// <summary>Creates a union; <see cref="WriteOutcome.AlreadyExists"/> when its id is taken.</summary>
    public async Task<WriteOutcome> AddUnionAsync(Union union, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(union);
        using var evict = Evict(() => lookups.UnionChanged(union.UnionId));
        return await AddAsync(PipelineTables.Unions, new TableEntity(MembershipRepository.UnionPartition, union.UnionId.Value)
        {
            ["Name"] = union.Name,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a campaign (with its owner); <see cref="WriteOutcome.AlreadyExists"/> when its id is taken.</summary>
    public async Task<WriteOutcome> AddCampaignAsync(Campaign campaign, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        using var evict = Evict(() => lookups.CampaignChanged(campaign.CampaignId));
        return await AddAsync(PipelineTables.Campaigns, MembershipRepository.WriteCampaign(campaign), cancellationToken).ConfigureAwait(false);
    }

    public Task<Campaign?> GetCampaignAsync(CampaignId campaignId, CancellationToken cancellationToken = default) =>
        membership.GetCampaignAsync(campaignId, cancellationToken);

    /// <summary>Every campaign (one partition, ordered by id).</summary>
    public async Task<IReadOnlyList<Campaign>> GetCampaignsAsync(CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.Campaigns, cancellationToken).ConfigureAwait(false);
        var campaigns = new List<Campaign>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {MembershipRepository.CampaignPartition}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            campaigns.Add(MembershipRepository.ReadCampaign(entity));
        }

        return campaigns;
    }

    /// <summary>
    /// The campaign and what <paramref name="unionId"/> is to it (<see cref="CampaignRules.RoleOf"/>); null when there is no
    /// such campaign.
    /// </summary>
    public async Task<(Campaign Campaign, CampaignRole Role)?> GetRoleAsync(UnionId unionId, CampaignId campaignId, CancellationToken cancellationToken = default)
    {
        if (await membership.GetCampaignAsync(campaignId, cancellationToken).ConfigureAwait(false) is not { } campaign)
        {
            return null;
        }

        var subscriptions = await membership.GetSubscriptionsAsync(campaignId, cancellationToken).ConfigureAwait(false);
        return (campaign, CampaignRules.RoleOf(campaign, unionId, subscriptions));
    }

    /// <summary>
    /// As <see cref="GetRoleAsync"/>, but what this worker read up to <see cref="ApiOptions.LookupCacheSeconds"/> ago for the
    /// same union and campaign answers (an unknown campaign is not kept). For read requests only.
    /// </summary>
    public async Task<(Campaign Campaign, CampaignRole Role)?> GetRoleCachedAsync(UnionId unionId, CampaignId campaignId, CancellationToken cancellationToken = default)
    {
        var found = await lookups.Roles.GetAsync(
            (unionId, campaignId),
            async c => await GetRoleAsync(unionId, campaignId, c).ConfigureAwait(false) is { } role ? new CampaignRoleOf(role.Campaign, role.Role) : null,
            cancellationToken).ConfigureAwait(false);
        return found is null ? null : (found.Campaign, found.Role);
    }

    /// <summary>The union as this worker read it up to <see cref="ApiOptions.LookupCacheSeconds"/> ago, or a fresh read. For read requests only.</summary>
    public Task<Union?> GetUnionCachedAsync(UnionId unionId, CancellationToken cancellationToken = default) =>
        lookups.Unions.GetAsync(unionId, c => membership.GetUnionAsync(unionId, c), cancellationToken);

    /// <summary>The unions other than the owner with a subscription (whole union or a branch) to the campaign, each once.</summary>
    public async Task<IReadOnlyList<UnionId>> GetSubscriberUnionsAsync(Campaign campaign, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var subscriptions = await membership.GetSubscriptionsAsync(campaign.CampaignId, cancellationToken).ConfigureAwait(false);
        return [.. subscriptions.Select(s => s.UnionId).Where(u => u != campaign.OwnerUnionId).Distinct()];
    }

    /// <summary>Opens (any union may subscribe) or closes the campaign; unions already subscribed stay.</summary>
    public async Task SetOpenAsync(CampaignId campaignId, bool open, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(campaignId);
        using var evict = Evict(() => lookups.CampaignChanged(campaignId));
        var table = await tables.GetAsync(PipelineTables.Campaigns, cancellationToken).ConfigureAwait(false);
        await table.UpdateEntityAsync(
            new TableEntity(MembershipRepository.CampaignPartition, campaignId.Value) { ["Open"] = open }, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One union's membership row of a campaign (<c>CampaignMembers</c>: PK campaign, RK union), or null.</summary>
    public async Task<CampaignMember?> GetMemberAsync(CampaignId campaignId, UnionId unionId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.CampaignMembers, cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityOrNullAsync(campaignId.Value, unionId.Value, cancellationToken: cancellationToken).ConfigureAwait(false);
        return entity is null ? null : ReadMember(campaignId, entity);
    }

    /// <summary>Every membership row of a campaign (one partition), ordered by union.</summary>
    public async Task<IReadOnlyList<CampaignMember>> GetMembersAsync(CampaignId campaignId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.CampaignMembers, cancellationToken).ConfigureAwait(false);
        var members = new List<CampaignMember>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {campaignId.Value}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            members.Add(ReadMember(campaignId, entity));
        }

        return members;
    }

    /// <summary>A union's membership rows in every campaign: a scan filtered on <c>UnionId</c> (a small table).</summary>
    public async Task<IReadOnlyList<CampaignMember>> GetUnionMembershipsAsync(UnionId unionId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.CampaignMembers, cancellationToken).ConfigureAwait(false);
        var members = new List<CampaignMember>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"UnionId eq {unionId.Value}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (CampaignId.TryParse(entity.PartitionKey, out var campaignId) && entity.RowKey == unionId.Value)
            {
                members.Add(ReadMember(campaignId, entity));
            }
        }

        return members;
    }

    /// <summary>
    /// Moves a union's membership row with <paramref name="next"/> (<see cref="CampaignRules.OwnerAdmits"/> or
    /// <see cref="CampaignRules.UnionAsks"/>): insert-if-absent or ETag-conditional replace, re-read and retried when
    /// another writer got in between, so an invitation and a request crossing each other end <c>Approved</c>.
    /// </summary>
    public async Task<CampaignMember> ChangeMemberAsync(
        CampaignId campaignId, UnionId unionId, Func<MembershipState?, MembershipState> next, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(next);
        var table = await tables.GetAsync(PipelineTables.CampaignMembers, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var entity = await table.GetEntityOrNullAsync(campaignId.Value, unionId.Value, cancellationToken: cancellationToken).ConfigureAwait(false);
            var current = entity is null ? null : ReadMember(campaignId, entity);
            var state = next(current?.State);
            var row = new TableEntity(campaignId.Value, unionId.Value)
            {
                ["UnionId"] = unionId.Value,
                ["State"] = state.ToString(),
                ["InvitedAt"] = state == MembershipState.Invited || (state == MembershipState.Approved && current?.State == MembershipState.Requested) ? now : current?.InvitedAt,
                ["RequestedAt"] = state == MembershipState.Requested || (state == MembershipState.Approved && current?.State == MembershipState.Invited) ? now : current?.RequestedAt,
                ["ApprovedAt"] = state == MembershipState.Approved ? current?.ApprovedAt ?? now : null,
            };
            try
            {
                if (entity is null)
                {
                    await table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
                }
                else if (current!.State != state)
                {
                    await table.UpdateEntityAsync(row, entity.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    return current;
                }

                return ReadMember(campaignId, row);
            }
            catch (RequestFailedException ex) when (attempt < 5 && ex.Status is 409 or 412 or 404)
            {
                // Someone else wrote the row in between: read it again and apply the step to what is there now.
            }
        }
    }

    /// <summary>
    /// Removes a union from a campaign: its membership row and every subscription of it and its branches. Used to withdraw
    /// an invitation, refuse a request, decline, leave, or remove a member. False when there was neither row nor subscription.
    /// </summary>
    public async Task<bool> RemoveMemberAsync(CampaignId campaignId, UnionId unionId, CancellationToken cancellationToken = default)
    {
        using var evict = Evict(() => lookups.CampaignChanged(campaignId));
        var members = await tables.GetAsync(PipelineTables.CampaignMembers, cancellationToken).ConfigureAwait(false);
        var removed = await members.DeleteEntityIfExistsAsync(campaignId.Value, unionId.Value, cancellationToken: cancellationToken).ConfigureAwait(false);
        var table = await tables.GetAsync(PipelineTables.Subscriptions, cancellationToken).ConfigureAwait(false);
        foreach (var subscription in (await membership.GetSubscriptionsAsync(campaignId, cancellationToken).ConfigureAwait(false)).Where(s => s.UnionId == unionId))
        {
            removed |= await table.DeleteEntityIfExistsAsync(
                campaignId.Value, MembershipRepository.SubscriptionRow(subscription.UnionId, subscription.BranchId), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return removed;
    }

    private static CampaignMember ReadMember(CampaignId campaignId, TableEntity e) => new(
        campaignId,
        e.Parse("UnionId", v => UnionId.TryParse(v, out var id) ? id : null),
        e.Enum<MembershipState>("State") ?? throw EntityValues.Corrupt(e, "State", "is missing"),
        e.GetDateTimeOffset("InvitedAt"),
        e.GetDateTimeOffset("RequestedAt"),
        e.GetDateTimeOffset("ApprovedAt"));

    /// <summary>
    /// The union's own subscriptions (whole union and per branch), ordered by campaign then branch. <c>Subscriptions</c> is
    /// partitioned by campaign, so this is a filtered scan of that (small) table; it reads only the ids.
    /// </summary>
    public async Task<IReadOnlyList<Subscription>> GetUnionSubscriptionsAsync(UnionId unionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(unionId);
        var table = await tables.GetAsync(PipelineTables.Subscriptions, cancellationToken).ConfigureAwait(false);
        var subscriptions = new List<Subscription>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"UnionId eq {unionId.Value}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (CampaignId.TryParse(entity.PartitionKey, out var campaignId) && entity.GetString("UnionId") == unionId.Value)
            {
                var branch = entity.GetString("BranchId");
                subscriptions.Add(new Subscription(campaignId, unionId, string.IsNullOrEmpty(branch) ? null : BranchId.Parse(branch)));
            }
        }

        return [.. subscriptions.OrderBy(s => s.CampaignId.Value, StringComparer.Ordinal).ThenBy(s => s.BranchId?.Value, StringComparer.Ordinal)];
    }

    /// <summary>Subscribes (idempotent: an existing subscription stays as it is).</summary>
    public async Task SubscribeAsync(Subscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        using var evict = Evict(() => lookups.CampaignChanged(subscription.CampaignId));
        await membership.UpsertSubscriptionAsync(subscription, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes one subscription row (whole union or one branch; the other rows stay). Schedules are the campaign's, not the
    /// union's, so they are not touched. <see cref="WriteOutcome.NotFound"/> when there was no such subscription.
    /// </summary>
    public async Task<WriteOutcome> UnsubscribeAsync(Subscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        using var evict = Evict(() => lookups.CampaignChanged(subscription.CampaignId));
        var table = await tables.GetAsync(PipelineTables.Subscriptions, cancellationToken).ConfigureAwait(false);
        return await table.DeleteEntityIfExistsAsync(
                subscription.CampaignId.Value, MembershipRepository.SubscriptionRow(subscription.UnionId, subscription.BranchId), cancellationToken: cancellationToken)
            .ConfigureAwait(false)
            ? WriteOutcome.Done
            : WriteOutcome.NotFound;
    }

    /// <summary>
    /// Runs <paramref name="evict"/> when disposed: after the write, whether it succeeded or failed (a failed write may have
    /// happened all the same), so a read that began before it is not kept.
    /// </summary>
    private static Eviction Evict(Action evict) => new(evict);

    private readonly struct Eviction(Action evict) : IDisposable
    {
        public void Dispose() => evict();
    }

    private async Task<WriteOutcome> AddAsync(string tableName, TableEntity entity, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tableName, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return WriteOutcome.Done;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return WriteOutcome.AlreadyExists;
        }
    }
}

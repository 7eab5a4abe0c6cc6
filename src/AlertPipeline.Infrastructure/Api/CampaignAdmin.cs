using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Persistence;
using Azure;
using Azure.Data.Tables;

namespace AlertPipeline.Infrastructure.Api;

/// <summary>
/// The API's writes and reads of <c>Unions</c>, <c>Campaigns</c> and <c>Subscriptions</c>, in exactly the layout
/// <see cref="MembershipRepository"/> reads (docs/storage.md): creating unions and campaigns (insert-if-absent, so a
/// second create is a conflict, never an overwrite), and a union's subscriptions.
/// </summary>
public sealed class CampaignAdmin(PipelineTables tables, MembershipRepository membership)
{
    /// <summary>Audit partition of writes that belong to no union (campaigns); no union may take this id.</summary>
    public static readonly UnionId SystemAuditPartition = UnionId.Parse("system");

    /// <summary>Creates a union; <see cref="WriteOutcome.AlreadyExists"/> when its id is taken.</summary>
    public async Task<WriteOutcome> AddUnionAsync(Union union, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(union);
        return await AddAsync(PipelineTables.Unions, new TableEntity(MembershipRepository.UnionPartition, union.UnionId.Value)
        {
            ["Name"] = union.Name,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a campaign; <see cref="WriteOutcome.AlreadyExists"/> when its id is taken.</summary>
    public async Task<WriteOutcome> AddCampaignAsync(Campaign campaign, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        return await AddAsync(PipelineTables.Campaigns, new TableEntity(MembershipRepository.CampaignPartition, campaign.CampaignId.Value)
        {
            ["Name"] = campaign.Name,
            ["HelpContact"] = campaign.HelpContact,
            ["DefaultLanguage"] = campaign.DefaultLanguage.Value,
        }, cancellationToken).ConfigureAwait(false);
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
            if (CampaignId.TryParse(entity.RowKey, out var id) && LanguageTag.TryParse(entity.GetString("DefaultLanguage"), out var language))
            {
                campaigns.Add(new Campaign(id, entity.Required("Name"), entity.Required("HelpContact"), language));
            }
        }

        return campaigns;
    }

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
    public Task SubscribeAsync(Subscription subscription, CancellationToken cancellationToken = default) =>
        membership.UpsertSubscriptionAsync(subscription, cancellationToken);

    /// <summary>
    /// Removes one subscription row (whole union or one branch; the other rows stay). Schedules are the campaign's, not the
    /// union's, so they are not touched. <see cref="WriteOutcome.NotFound"/> when there was no such subscription.
    /// </summary>
    public async Task<WriteOutcome> UnsubscribeAsync(Subscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var table = await tables.GetAsync(PipelineTables.Subscriptions, cancellationToken).ConfigureAwait(false);
        return await table.DeleteEntityIfExistsAsync(
                subscription.CampaignId.Value, MembershipRepository.SubscriptionRow(subscription.UnionId, subscription.BranchId), cancellationToken: cancellationToken)
            .ConfigureAwait(false)
            ? WriteOutcome.Done
            : WriteOutcome.NotFound;
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

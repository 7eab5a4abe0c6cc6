using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// Unions, branches, contacts, campaigns and subscriptions on Table Storage (keys in docs/storage.md). Every field is
/// mapped by hand: a record is never serialised whole, so nothing personal lands in a property by accident. Contact
/// reads always build the partition key from the union and the branch together (tenancy). It also keeps each branch's
/// contact count on its <c>Branches</c> row (<see cref="IContactCountStore"/>: <c>ContactCount</c>, <c>ContactsCountedAt</c>).
/// </summary>
public sealed class MembershipRepository(PipelineTables tables) : IMembershipReader, IContactCountStore
{
    private static readonly string[] CountColumns = [ContactCountColumn, ContactsCountedAtColumn];

    /// <summary>The Branches row's stored contact count (absent: never counted, or written before counts were kept).</summary>
    public const string ContactCountColumn = "ContactCount";

    /// <summary>When <see cref="ContactCountColumn"/> was counted.</summary>
    public const string ContactsCountedAtColumn = "ContactsCountedAt";

    public const string UnionPartition = "union";
    public const string CampaignPartition = "campaign";

    public static string ContactPartition(UnionId unionId, BranchId branchId) => EntityValues.Key(unionId.Value, branchId.Value);

    public static string SubscriptionRow(UnionId unionId, BranchId? branchId) =>
        branchId is null ? unionId.Value : EntityValues.Key(unionId.Value, branchId.Value);

    public async Task<Campaign?> GetCampaignAsync(CampaignId campaignId, CancellationToken cancellationToken = default) =>
        await GetAsync(PipelineTables.Campaigns, CampaignPartition, campaignId.Value, ReadCampaign, cancellationToken).ConfigureAwait(false);

    public async Task<Union?> GetUnionAsync(UnionId unionId, CancellationToken cancellationToken = default) =>
        await GetAsync(PipelineTables.Unions, UnionPartition, unionId.Value, e => new Union(unionId, e.Required("Name")), cancellationToken).ConfigureAwait(false);

    public async Task<Branch?> GetBranchAsync(UnionId unionId, BranchId branchId, CancellationToken cancellationToken = default) =>
        await GetAsync(PipelineTables.Branches, unionId.Value, branchId.Value, e => new Branch(unionId, branchId, e.Required("Name")), cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<Branch>> GetBranchesAsync(UnionId unionId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.Branches, cancellationToken).ConfigureAwait(false);
        var branches = new List<Branch>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {unionId.Value}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            branches.Add(new Branch(unionId, entity.Parse("BranchId", v => BranchId.TryParse(v, out var id) ? id : null), entity.Required("Name")));
        }

        return branches;
    }

    public async Task<IReadOnlyList<Subscription>> GetSubscriptionsAsync(CampaignId campaignId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.Subscriptions, cancellationToken).ConfigureAwait(false);
        var subscriptions = new List<Subscription>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {campaignId.Value}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            subscriptions.Add(new Subscription(
                campaignId,
                entity.Parse("UnionId", v => UnionId.TryParse(v, out var id) ? id : null),
                entity.ParseOptional("BranchId", v => BranchId.TryParse(v, out var id) ? id : null)));
        }

        return subscriptions;
    }

    public async Task<ContactPage> GetContactsPageAsync(
        UnionId unionId, BranchId branchId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var table = await tables.GetAsync(PipelineTables.Contacts, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ContactPartition(unionId, branchId)}");
        try
        {
            var page = await table.GetPageAsync(filter, Math.Min(pageSize, 1000), continuationToken, cancellationToken).ConfigureAwait(false);
            return new ContactPage([.. page.Values.Select(e => ReadContact(e, unionId, branchId))], page.ContinuationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 400 && continuationToken is not null)
        {
            // The service refused the position the token names: it was not one of ours.
            throw new ArgumentException("The continuation token names no valid table position.", nameof(continuationToken), ex);
        }
    }

    public async Task<int> CountContactsAsync(UnionId unionId, BranchId branchId, int atLeast, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(atLeast, 1);
        var table = await tables.GetAsync(PipelineTables.Contacts, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ContactPartition(unionId, branchId)}");
        var count = 0;
        await foreach (var page in table.QueryAsync<TableEntity>(filter, 1000, KeysOnly, cancellationToken).AsPages().ConfigureAwait(false))
        {
            count += page.Values.Count;
            if (count >= atLeast)
            {
                break;
            }
        }

        return count;
    }

    private static readonly string[] KeysOnly = ["RowKey"];

    public async Task<BranchContactCount?> GetAsync(UnionId unionId, BranchId branchId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.Branches, cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityOrNullAsync(unionId.Value, branchId.Value, CountColumns, cancellationToken).ConfigureAwait(false);
        return entity?.GetInt32(ContactCountColumn) is { } contacts && contacts >= 0 && entity.Instant(ContactsCountedAtColumn) is { } at
            ? new BranchContactCount(contacts, at)
            : null;
    }

    public async Task RecordAsync(UnionId unionId, BranchId branchId, BranchContactCount count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(count);
        var table = await tables.GetAsync(PipelineTables.Branches, cancellationToken).ConfigureAwait(false);
        var columns = new TableEntity(unionId.Value, branchId.Value)
        {
            [ContactCountColumn] = count.Contacts,
            [ContactsCountedAtColumn] = count.CountedAt.ToDateTimeOffset(),
        };
        try
        {
            // Merge into the existing row only (an upsert would create a branch without a name); last writer wins.
            await table.UpdateEntityAsync(columns, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && ex.ErrorCode != TableErrorCode.TableNotFound.ToString())
        {
            // No such branch row: nothing to keep the count on.
        }
    }

    /// <summary>Counts the branch's contacts (keys only, no limit) and stores the count: what an import job does at its end.</summary>
    public async Task<BranchContactCount> RecountContactsAsync(UnionId unionId, BranchId branchId, NodaTime.Instant at, CancellationToken cancellationToken = default)
    {
        var count = new BranchContactCount(await CountContactsAsync(unionId, branchId, int.MaxValue, cancellationToken).ConfigureAwait(false), at);
        await RecordAsync(unionId, branchId, count, cancellationToken).ConfigureAwait(false);
        return count;
    }

    public async Task<ContactEntry?> GetContactAsync(UnionId unionId, BranchId branchId, ContactId contactId, CancellationToken cancellationToken = default) =>
        await GetAsync(PipelineTables.Contacts, ContactPartition(unionId, branchId), contactId.Value, e => ReadContact(e, unionId, branchId), cancellationToken).ConfigureAwait(false);

    public async Task UpsertUnionAsync(Union union, CancellationToken cancellationToken = default) =>
        await UpsertAsync(PipelineTables.Unions, new TableEntity(UnionPartition, union.UnionId.Value) { ["Name"] = union.Name }, cancellationToken).ConfigureAwait(false);

    public async Task UpsertBranchAsync(Branch branch, CancellationToken cancellationToken = default) =>
        await UpsertAsync(PipelineTables.Branches, new TableEntity(branch.UnionId.Value, branch.BranchId.Value)
        {
            ["UnionId"] = branch.UnionId.Value,
            ["BranchId"] = branch.BranchId.Value,
            ["Name"] = branch.Name,
        }, cancellationToken).ConfigureAwait(false);

    public async Task UpsertCampaignAsync(Campaign campaign, CancellationToken cancellationToken = default) =>
        await UpsertAsync(PipelineTables.Campaigns, WriteCampaign(campaign), cancellationToken).ConfigureAwait(false);

    /// <summary>A campaign's row: <c>OwnerUnionId</c> (absent on rows written before campaigns had owners) and <c>Open</c>.</summary>
    internal static TableEntity WriteCampaign(Campaign campaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        return new TableEntity(CampaignPartition, campaign.CampaignId.Value)
        {
            ["Name"] = campaign.Name,
            ["HelpContact"] = campaign.HelpContact,
            ["DefaultLanguage"] = campaign.DefaultLanguage.Value,
            ["OwnerUnionId"] = campaign.OwnerUnionId?.Value,
            ["Open"] = campaign.IsOpen,
        };
    }

    public async Task UpsertSubscriptionAsync(Subscription subscription, CancellationToken cancellationToken = default) =>
        await UpsertAsync(PipelineTables.Subscriptions, new TableEntity(subscription.CampaignId.Value, SubscriptionRow(subscription.UnionId, subscription.BranchId))
        {
            ["UnionId"] = subscription.UnionId.Value,
            ["BranchId"] = subscription.BranchId?.Value,
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>Stores a contact. The number (E.164) and address are stored here because sending needs them; nowhere in a key.</summary>
    public async Task UpsertContactAsync(ContactEntry entry, CancellationToken cancellationToken = default) =>
        await UpsertAsync(PipelineTables.Contacts, WriteContact(entry), cancellationToken).ConfigureAwait(false);

    /// <summary>Stores many contacts: transactions of up to 100 per branch (partition). Seeds and imports use it.</summary>
    public async Task UpsertContactsAsync(IEnumerable<ContactEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var table = await tables.GetAsync(PipelineTables.Contacts, cancellationToken).ConfigureAwait(false);
        foreach (var partition in entries.GroupBy(e => ContactPartition(e.Contact.UnionId, e.Contact.BranchId)))
        {
            foreach (var batch in partition.DistinctBy(e => e.Contact.ContactId).Chunk(100))
            {
                await table.SubmitTransactionAsync(
                    batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, WriteContact(e))), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal static TableEntity WriteContact(ContactEntry entry)
    {
        var contact = entry.Contact;
        return new TableEntity(ContactPartition(contact.UnionId, contact.BranchId), contact.ContactId.Value)
        {
            ["UnionId"] = contact.UnionId.Value,
            ["BranchId"] = contact.BranchId.Value,
            ["Name"] = contact.Name,
            ["Phone"] = contact.Phone?.E164,
            ["PhoneError"] = contact.Phone is null ? entry.InvalidPhone?.ToString() : null,
            ["Email"] = contact.Email?.Value,
            ["Language"] = contact.Language.Value,
            ["TimeZone"] = contact.TimeZone.Id,
            ["ConsentSms"] = contact.Consent.Sms,
            ["ConsentEmail"] = contact.Consent.Email,
            ["SmsOptedOutAt"] = contact.OptOut.SmsOptedOutAt.ToStored(),
            ["EmailOptedOutAt"] = contact.OptOut.EmailOptedOutAt.ToStored(),
        };
    }

    internal static Campaign ReadCampaign(TableEntity e) => new(
        e.Parse("RowKey", v => CampaignId.TryParse(v, out var id) ? id : null),
        e.Required("Name"),
        e.Required("HelpContact"),
        e.Parse("DefaultLanguage", v => LanguageTag.TryParse(v, out var tag) ? tag : null))
    {
        OwnerUnionId = e.ParseOptional("OwnerUnionId", v => UnionId.TryParse(v, out var id) ? id : null),
        IsOpen = e.GetBoolean("Open") ?? false,
    };

    internal static ContactEntry ReadContact(TableEntity e, UnionId unionId, BranchId branchId)
    {
        PhoneNumber? phone = null;
        var invalid = e.Enum<PhoneNumberError>("PhoneError");
        if (e.GetString("Phone") is { Length: > 0 } stored)
        {
            (phone, invalid) = PhoneNumber.TryParse(stored, null, out var number, out var error) ? (number, (PhoneNumberError?)null) : (null, error);
        }

        var contact = new Contact
        {
            UnionId = unionId,
            BranchId = branchId,
            ContactId = e.Parse("RowKey", v => ContactId.TryParse(v, out var id) ? id : null),
            Name = e.Required("Name"),
            Phone = phone,
            Email = e.ParseOptional("Email", v => EmailAddress.TryParse(v, out var address, out _) ? address : null),
            Language = e.Parse("Language", v => LanguageTag.TryParse(v, out var tag) ? tag : null),
            TimeZone = e.Parse("TimeZone", v => TimeZoneId.TryParse(v, out var zone) ? zone : null),
            Consent = new Consent(e.GetBoolean("ConsentSms") ?? false, e.GetBoolean("ConsentEmail") ?? false),
            OptOut = new OptOutState(e.Instant("SmsOptedOutAt"), e.Instant("EmailOptedOutAt")),
        };
        return new ContactEntry(contact, invalid);
    }

    private async Task<T?> GetAsync<T>(string tableName, string partitionKey, string rowKey, Func<TableEntity, T> read, CancellationToken cancellationToken)
        where T : class
    {
        var table = await tables.GetAsync(tableName, cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityOrNullAsync(partitionKey, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return entity is null ? null : read(entity);
    }

    private async Task UpsertAsync(string tableName, TableEntity entity, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tableName, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }
}

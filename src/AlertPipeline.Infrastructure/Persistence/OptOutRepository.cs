using System.Collections.Concurrent;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.OptOut;
using AlertPipeline.Core.Ports;
using Azure;
using Azure.Data.Tables;
using NodaTime;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// OptOuts (PK recipientHash, RK channel): a row means "opted out". Keyed by the recipient hash alone, so an opt-out
/// applies to the number or address across every union (docs/storage.md). STOP adds the row (an earlier one keeps its
/// time and source), START deletes it.
/// </summary>
public sealed class OptOutRepository(PipelineTables tables, PipelineStorageOptions options) : IOptOutStore
{
    public async Task<bool> IsOptedOutAsync(RecipientHash recipient, Channel channel, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.OptOuts, cancellationToken).ConfigureAwait(false);
        return await ExistsAsync(table, recipient, channel, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Few recipients: point reads in parallel. Many of one bucket (a dispatch batch, a fan-out page): one range query per
    /// first hex digit present (<c>PartitionKey ge '3' and PartitionKey lt '4' and RowKey eq 'sms'</c>), which reads the
    /// opt-outs in that sixteenth of the key space instead of one request per recipient — cheaper while the opt-outs of a
    /// sixteenth are fewer than the recipients asked about (docs/storage.md).
    /// </summary>
    public async Task<IReadOnlySet<RecipientHash>> FindOptedOutAsync(
        IReadOnlyCollection<RecipientHash> recipients, Channel channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        var table = await tables.GetAsync(PipelineTables.OptOuts, cancellationToken).ConfigureAwait(false);
        var wanted = recipients.ToHashSet();
        var found = new ConcurrentBag<RecipientHash>();
        var byBucket = wanted.GroupBy(DeliveryBuckets.Of).ToList();
        var ranged = byBucket.Where(g => g.Count() >= RangeQueryThreshold).ToList();
        await Parallel.ForEachAsync(
            ranged,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelReads, CancellationToken = cancellationToken },
            async (group, ct) =>
            {
                var low = DeliveryBuckets.Digit(group.Key).ToString();
                var high = group.Key == DeliveryBuckets.Count - 1 ? "g" : DeliveryBuckets.Digit(group.Key + 1).ToString();
                var filter = TableClient.CreateQueryFilter($"PartitionKey ge {low} and PartitionKey lt {high} and RowKey eq {channel.ToWireName()}");
                await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey"], cancellationToken: ct).ConfigureAwait(false))
                {
                    if (RecipientHash.TryParse(entity.PartitionKey, out var hash, out _) && wanted.Contains(hash))
                    {
                        found.Add(hash);
                    }
                }
            }).ConfigureAwait(false);
        await Parallel.ForEachAsync(
            byBucket.Except(ranged).SelectMany(g => g),
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelReads, CancellationToken = cancellationToken },
            async (recipient, ct) =>
            {
                if (await ExistsAsync(table, recipient, channel, ct).ConfigureAwait(false))
                {
                    found.Add(recipient);
                }
            }).ConfigureAwait(false);
        return found.ToHashSet();
    }

    /// <summary>One query over the channel's opt-outs (<c>RowKey eq 'sms'</c>), reading only the keys.</summary>
    public async Task<IReadOnlySet<RecipientHash>> GetOptedOutAsync(Channel channel, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.OptOuts, cancellationToken).ConfigureAwait(false);
        var found = new HashSet<RecipientHash>();
        var filter = TableClient.CreateQueryFilter($"RowKey eq {channel.ToWireName()}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, 1000, ["PartitionKey"], cancellationToken).ConfigureAwait(false))
        {
            if (RecipientHash.TryParse(entity.PartitionKey, out var hash, out _))
            {
                found.Add(hash);
            }
        }

        return found;
    }

    /// <summary>Recipients of one bucket from which one range query replaces their point reads.</summary>
    public const int RangeQueryThreshold = 4;

    public async Task OptOutAsync(RecipientHash recipient, Channel channel, OptOutSource source, Instant at, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.OptOuts, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(
                new TableEntity(recipient.Value, channel.ToWireName()) { ["OptedOutAt"] = at.ToDateTimeOffset(), ["Source"] = source.ToString() },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Already opted out: the first opt-out's time and source stand.
        }
    }

    public async Task OptInAsync(RecipientHash recipient, Channel channel, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.OptOuts, cancellationToken).ConfigureAwait(false);
        await table.DeleteEntityAsync(recipient.Value, channel.ToWireName(), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> ExistsAsync(TableClient table, RecipientHash recipient, Channel channel, CancellationToken cancellationToken) =>
        await table.GetEntityOrNullAsync(recipient.Value, channel.ToWireName(), ["RowKey"], cancellationToken).ConfigureAwait(false) is not null;
}

/// <summary>
/// RecipientIndex: the campaign that last messaged a number, for HELP replies. PK <c>sms~{first hex digit of the
/// recipient hash}</c>, RK recipientHash: a dispatch batch (recipients of one Deliveries bucket, which shares that first
/// digit) writes its rows in one transaction instead of one upsert each. Rows written before this layout (PK
/// recipientHash, RK <c>sms</c>) are still read when the new row is missing, and replaced by the new layout at the
/// number's next SMS. Keyed by the recipient hash alone, as opt-outs are (docs/storage.md).
/// </summary>
public sealed class RecipientIndexRepository(PipelineTables tables, PipelineStorageOptions options) : IRecipientIndex
{
    private const string SmsRow = "sms";

    /// <summary>The most rows one transaction may upsert.</summary>
    public const int MaxTransaction = 100;

    /// <summary>The partition of a recipient's row: <c>sms~{first hex digit of the hash}</c> (16 partitions).</summary>
    public static string PartitionKey(RecipientHash recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        return EntityValues.Key(SmsRow, recipient.Value[..1]);
    }

    public Task RecordLastCampaignAsync(RecipientHash recipient, CampaignId campaignId, Instant at, CancellationToken cancellationToken = default) =>
        RecordLastCampaignAsync([recipient], campaignId, at, cancellationToken);

    /// <summary>One upsert transaction per partition touched (a dispatch batch touches one), the partitions' transactions in parallel.</summary>
    public async Task RecordLastCampaignAsync(IReadOnlyList<RecipientHash> recipients, CampaignId campaignId, Instant at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentNullException.ThrowIfNull(campaignId);
        var table = await tables.GetAsync(PipelineTables.RecipientIndex, cancellationToken).ConfigureAwait(false);
        var groups = recipients.Distinct().GroupBy(PartitionKey).SelectMany(g => g.Chunk(MaxTransaction)).ToList();
        await Parallel.ForEachAsync(
            groups,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelReads, CancellationToken = cancellationToken },
            async (group, ct) =>
            {
                var rows = group.Select(r => new TableEntity(PartitionKey(r), r.Value) { ["LastCampaignId"] = campaignId.Value, ["UpdatedAt"] = at.ToDateTimeOffset() });
                if (group.Length == 1)
                {
                    await table.UpsertEntityAsync(rows.Single(), TableUpdateMode.Replace, ct).ConfigureAwait(false);
                }
                else
                {
                    await table.SubmitTransactionAsync(rows.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), ct).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
    }

    public async Task<CampaignId?> GetLastCampaignAsync(RecipientHash recipient, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var table = await tables.GetAsync(PipelineTables.RecipientIndex, cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityOrNullAsync(PartitionKey(recipient), recipient.Value, cancellationToken: cancellationToken).ConfigureAwait(false)
                     ?? await table.GetEntityOrNullAsync(recipient.Value, SmsRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return entity?.ParseOptional("LastCampaignId", v => CampaignId.TryParse(v, out var id) ? id : null);
    }
}

/// <summary>
/// InboundMessages (PK MessageSid, RK <c>sms</c>): one row per inbound STOP or START applied, so a replayed request (the
/// same MessageSid) is recognised. Keyed by Twilio's id alone — no number, no recipient hash — and read by point lookups.
/// </summary>
public sealed class InboundMessageRepository(PipelineTables tables) : IInboundMessageLog
{
    private const string SmsRow = "sms";

    public async Task<bool> WasHandledAsync(string messageSid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageSid);
        var table = await tables.GetAsync(PipelineTables.InboundMessages, cancellationToken).ConfigureAwait(false);
        return await table.GetEntityOrNullAsync(messageSid, SmsRow, ["RowKey"], cancellationToken).ConfigureAwait(false) is not null;
    }

    public async Task RecordHandledAsync(string messageSid, InboundKeyword keyword, Instant at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageSid);
        var table = await tables.GetAsync(PipelineTables.InboundMessages, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(
                new TableEntity(messageSid, SmsRow) { ["Keyword"] = keyword.ToString(), ["HandledAt"] = at.ToDateTimeOffset() },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // A concurrent duplicate recorded it first: the first record stands.
        }
    }
}

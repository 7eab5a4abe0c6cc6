using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Core.Ports;
using Azure.Data.Tables;
using Azure;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// Deliveries (PK <c>{alertId}~{bucket}</c>, RK <c>{channel}~{recipientHash}</c>; the bucket is the top bits of the
/// recipient hash in the alert's layout, <see cref="DeliveryPartitions"/>, resolved once per alert by
/// <see cref="DeliveryLayouts"/>). Rows are added in entity group transactions of up to 100 rows of one bucket, the
/// buckets' transactions in parallel; a transaction that meets an existing row falls back to single inserts so the rest
/// still go in and the existing row is left as it is. Updates replace the row conditionally on its ETag. The report
/// pages through the alert's 16 first-digit key ranges in order (one partition each in the 16-bucket layout).
/// The <c>Address</c> property (number or email) and <c>ContactName</c> (with <c>ContactLanguage</c> and
/// <c>ContactTimeZone</c>: what rendering needs, <see cref="ContactSnapshot"/>) are the only personal data, kept while the
/// row may still be sent.
/// </summary>
public sealed class DeliveryRepository(PipelineTables tables, PipelineStorageOptions options, DeliveryLayouts? layouts = null) : IDeliveryStore
{
    public const int MaxBatch = 100;

    private readonly DeliveryLayouts _layouts = layouts ?? new DeliveryLayouts(tables);

    public static string RowKey(DeliveryKey key) => EntityValues.Key(key.Channel.ToWireName(), key.Recipient.Value);

    public async Task<IReadOnlyList<DeliveryAddOutcome>> AddNewAsync(AlertId alertId, IReadOnlyList<DeliveryRecord> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Any(r => r.AlertId != alertId) || rows.Select(r => r.Key).Distinct().Count() != rows.Count)
        {
            throw new ArgumentException("Rows must all belong to the alert and have distinct keys.", nameof(rows));
        }

        var table = await tables.GetAsync(PipelineTables.Deliveries, cancellationToken).ConfigureAwait(false);
        var layout = await _layouts.GetAsync(alertId, cancellationToken).ConfigureAwait(false);

        // A transaction may only touch one partition: group the rows (by position, to answer in order) by bucket.
        var batches = Enumerable.Range(0, rows.Count)
            .GroupBy(i => layout.Of(rows[i].Key))
            .OrderBy(g => g.Key)
            .SelectMany(g => g.Chunk(MaxBatch))
            .ToList();
        var outcomes = new DeliveryAddOutcome[rows.Count];

        // Transactions and fallback inserts share one budget: at most MaxParallelReads requests in flight per call.
        using var requests = new SemaphoreSlim(options.MaxParallelReads);
        await Parallel.ForEachAsync(
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelReads, CancellationToken = cancellationToken },
            async (positions, ct) =>
            {
                var added = await AddBatchAsync(table, layout, [.. positions.Select(i => rows[i])], requests, ct).ConfigureAwait(false);
                for (var j = 0; j < positions.Length; j++)
                {
                    outcomes[positions[j]] = added[j];
                }
            }).ConfigureAwait(false);
        return outcomes;
    }

    public async Task<StoredDelivery?> GetAsync(DeliveryKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var table = await tables.GetAsync(PipelineTables.Deliveries, cancellationToken).ConfigureAwait(false);
        var partition = await PartitionKeyAsync(key, cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityOrNullAsync(partition, RowKey(key), cancellationToken: cancellationToken).ConfigureAwait(false);
        return entity is null ? null : new StoredDelivery(DeliveryMapping.Read(entity), entity.ETag.ToString()) { StoredAt = StoredAtOf(entity) };
    }

    private static NodaTime.Instant? StoredAtOf(TableEntity entity) => entity.Timestamp is { } at ? NodaTime.Instant.FromDateTimeOffset(at) : null;

    /// <summary>The most rows one query of <see cref="GetManyAsync"/> names: a filter may hold at most 15 comparisons, one is the PartitionKey.</summary>
    public const int MaxKeysPerQuery = 14;

    /// <summary>
    /// Queries per partition naming the rows (<c>PartitionKey eq … and (RowKey eq … or …)</c>, up to
    /// <see cref="MaxKeysPerQuery"/> rows each, at most <see cref="PipelineStorageOptions.MaxParallelReads"/> in flight): a
    /// dispatch batch of 50 rows of one bucket costs 4 requests instead of 50 point reads. Each query stays inside one
    /// partition and returns only the rows it names; their ETags come with them.
    /// </summary>
    public async Task<IReadOnlyList<StoredDelivery?>> GetManyAsync(IReadOnlyList<DeliveryKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var table = await tables.GetAsync(PipelineTables.Deliveries, cancellationToken).ConfigureAwait(false);
        var found = new System.Collections.Concurrent.ConcurrentDictionary<DeliveryKey, StoredDelivery>();
        var layouts = new Dictionary<AlertId, DeliveryLayout>();
        foreach (var alertId in keys.Select(k => k.AlertId).Distinct())
        {
            layouts[alertId] = await _layouts.GetAsync(alertId, cancellationToken).ConfigureAwait(false);
        }

        var queries = keys.Distinct()
            .GroupBy(k => DeliveryPartitions.PartitionKey(k, layouts[k.AlertId]))
            .SelectMany(g => g.Chunk(MaxKeysPerQuery).Select(chunk => (Partition: g.Key, Keys: chunk)))
            .ToList();
        await Parallel.ForEachAsync(
            queries,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelReads, CancellationToken = cancellationToken },
            async (query, ct) =>
            {
                var rowKeys = string.Join(" or ", query.Keys.Select(k => TableClient.CreateQueryFilter($"RowKey eq {RowKey(k)}")));
                var filter = $"{TableClient.CreateQueryFilter($"PartitionKey eq {query.Partition}")} and ({rowKeys})";
                await foreach (var entity in table.QueryAsync<TableEntity>(filter, MaxKeysPerQuery, cancellationToken: ct).ConfigureAwait(false))
                {
                    var row = DeliveryMapping.Read(entity);
                    found[row.Key] = new StoredDelivery(row, entity.ETag.ToString()) { StoredAt = StoredAtOf(entity) };
                }
            }).ConfigureAwait(false);
        return [.. keys.Select(k => found.GetValueOrDefault(k))];
    }

    public async Task<IReadOnlyList<StoredDelivery>?> TryUpdateAllAsync(IReadOnlyList<(DeliveryRecord Row, string ETag)> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (updates.Count == 0)
        {
            return [];
        }

        var layout = await _layouts.GetAsync(updates[0].Row.AlertId, cancellationToken).ConfigureAwait(false);
        var partition = DeliveryPartitions.PartitionKey(updates[0].Row.Key, layout);
        if (updates.Count > MaxBatch || updates.Any(u => u.Row.AlertId != updates[0].Row.AlertId || DeliveryPartitions.PartitionKey(u.Row.Key, layout) != partition)
            || updates.Select(u => u.Row.Key).Distinct().Count() != updates.Count)
        {
            throw new ArgumentException($"A transaction replaces 1 to {MaxBatch} distinct rows of one partition (the alert's layout: {layout}).", nameof(updates));
        }

        var table = await tables.GetAsync(PipelineTables.Deliveries, cancellationToken).ConfigureAwait(false);
        try
        {
            var responses = await table.SubmitTransactionAsync(
                updates.Select(u => new TableTransactionAction(TableTransactionActionType.UpdateReplace, DeliveryMapping.Write(u.Row, partition), new ETag(u.ETag))),
                cancellationToken).ConfigureAwait(false);
            return [.. updates.Select((u, i) => new StoredDelivery(u.Row, responses.Value[i].Headers.ETag?.ToString()
                ?? throw new InvalidOperationException("The table transaction's response carries no ETag for a replaced row.")))];
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404)
        {
            return null;
        }
    }

    public async Task<StoredDelivery?> TryUpdateAsync(DeliveryRecord row, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentException.ThrowIfNullOrEmpty(etag);
        var table = await tables.GetAsync(PipelineTables.Deliveries, cancellationToken).ConfigureAwait(false);
        var partition = await PartitionKeyAsync(row.Key, cancellationToken).ConfigureAwait(false);
        try
        {
            var updated = await table.UpdateEntityAsync(DeliveryMapping.Write(row, partition), new ETag(etag), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return new StoredDelivery(row, updated.NewETag().ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // The client's retry of a request the table had applied (its answer lost) meets its own write's ETag.
            var entity = await table.GetEntityOrNullAsync(partition, RowKey(row.Key), cancellationToken: cancellationToken).ConfigureAwait(false);
            return entity is not null && DeliveryMapping.Read(entity) is var stored && stored == row
                ? new StoredDelivery(stored, entity.ETag.ToString()) { StoredAt = StoredAtOf(entity) }
                : null;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// Up to <paramref name="pageSize"/> of the alert's rows, first-digit range 0 first (<see cref="DeliveryPartitions.DigitRange"/>:
    /// bucket 0 in the 16-bucket layout, buckets 00–03 or 00–0f in the wider ones); a page may span ranges. The
    /// continuation token is opaque (<see cref="DeliveryPageToken"/>): the range and the table's token within it. A token
    /// that is not one this method issued for this alert is refused with an <see cref="ArgumentException"/>.
    /// </summary>
    public async Task<DeliveryPage> GetPageAsync(AlertId alertId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var position = continuationToken is null
            ? new DeliveryPageToken(alertId, 0, null)
            : DeliveryPageToken.Decode(continuationToken, alertId, nameof(continuationToken));
        var table = await tables.GetAsync(PipelineTables.Deliveries, cancellationToken).ConfigureAwait(false);
        var rows = new List<DeliveryRecord>(Math.Min(pageSize, 1000));
        var (bucket, tableToken) = (position.Bucket, position.TableToken);
        while (true)
        {
            var page = await BucketPageAsync(table, alertId, bucket, Math.Min(pageSize - rows.Count, 1000), tableToken, cancellationToken).ConfigureAwait(false);
            rows.AddRange(page.Values.Select(DeliveryMapping.Read));
            if (page.ContinuationToken is not null)
            {
                tableToken = page.ContinuationToken;
            }
            else if (++bucket < DeliveryPartitions.BucketCount)
            {
                tableToken = null;
            }
            else
            {
                return new DeliveryPage(rows, null);
            }

            if (rows.Count >= pageSize)
            {
                return new DeliveryPage(rows, new DeliveryPageToken(alertId, bucket, tableToken).Encode());
            }
        }
    }

    /// <summary>The report's columns read from the alert's 16 first-digit ranges (its partitions, in any layout), at most 4 in flight, filtered by union on the server.</summary>
    public async IAsyncEnumerable<ReportedRow> GetReportedRowsAsync(
        AlertId alertId, UnionId unionId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        ArgumentNullException.ThrowIfNull(unionId);
        var table = await tables.GetAsync(PipelineTables.Deliveries, cancellationToken).ConfigureAwait(false);
        var rows = System.Threading.Channels.Channel.CreateBounded<ReportedRow>(new System.Threading.Channels.BoundedChannelOptions(4000) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var readers = Task.Run(
            async () =>
            {
                try
                {
                    await Parallel.ForEachAsync(
                        Enumerable.Range(0, DeliveryPartitions.BucketCount),
                        new ParallelOptions { MaxDegreeOfParallelism = ReportReadsInFlight, CancellationToken = stop.Token },
                        async (bucket, ct) =>
                        {
                            var filter = $"{DeliveryPartitions.DigitRange(alertId, bucket)} and {TableClient.CreateQueryFilter($"UnionId eq {unionId.Value}")}";
                            await foreach (var entity in table.QueryAsync<TableEntity>(filter, 1000, ReportColumns, ct).ConfigureAwait(false))
                            {
                                await rows.Writer.WriteAsync(DeliveryMapping.ReadReported(entity), ct).ConfigureAwait(false);
                            }
                        }).ConfigureAwait(false);
                    rows.Writer.Complete();
                }
                catch (Exception ex)
                {
                    rows.Writer.Complete(ex);
                }
            },
            CancellationToken.None);
        try
        {
            await foreach (var row in rows.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return row;
            }
        }
        finally
        {
            // A reader that stops early (an abandoned request) stops the partition reads too.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await readers.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Partitions the report reads at once: enough to hide a round trip, few enough to leave the store to the pipeline.</summary>
    internal const int ReportReadsInFlight = 4;

    private static readonly string[] ReportColumns = ["Channel", "Status", "SkipReason", "FailureReason", "ErrorCode", "Segments", "Unconfirmed"];

    private static Task<Page<TableEntity>> BucketPageAsync(TableClient table, AlertId alertId, int digit, int take, string? continuationToken, CancellationToken cancellationToken) =>
        table.GetPageAsync(DeliveryPartitions.DigitRange(alertId, digit), take, continuationToken, cancellationToken);

    /// <summary>The row's PartitionKey in its alert's layout.</summary>
    private async ValueTask<string> PartitionKeyAsync(DeliveryKey key, CancellationToken cancellationToken) =>
        DeliveryPartitions.PartitionKey(key, await _layouts.GetAsync(key.AlertId, cancellationToken).ConfigureAwait(false));

    private async Task<IReadOnlyList<DeliveryAddOutcome>> AddBatchAsync(
        TableClient table, DeliveryLayout layout, DeliveryRecord[] batch, SemaphoreSlim requests, CancellationToken cancellationToken)
    {
        await requests.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.SubmitTransactionAsync(
                batch.Select(r => new TableTransactionAction(TableTransactionActionType.Add, DeliveryMapping.Write(r, layout))), cancellationToken).ConfigureAwait(false);
            return [.. batch.Select(r => new DeliveryAddOutcome(r.Key, true, r.Status))];
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            // Some rows exist (a re-run chunk, or the same person reached through another branch): insert one by one.
        }
        finally
        {
            requests.Release();
        }

        var outcomes = new DeliveryAddOutcome[batch.Length];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, batch.Length),
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelReads, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                await requests.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    outcomes[i] = await AddOneAsync(table, layout, batch[i], ct).ConfigureAwait(false);
                }
                finally
                {
                    requests.Release();
                }
            }).ConfigureAwait(false);
        return outcomes;
    }

    private static async Task<DeliveryAddOutcome> AddOneAsync(TableClient table, DeliveryLayout layout, DeliveryRecord row, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(DeliveryMapping.Write(row, layout), cancellationToken).ConfigureAwait(false);
            return new DeliveryAddOutcome(row.Key, true, row.Status);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = (await table.GetEntityAsync<TableEntity>(DeliveryPartitions.PartitionKey(row.Key, layout), RowKey(row.Key), ["Status"], cancellationToken).ConfigureAwait(false)).Value;
            return new DeliveryAddOutcome(row.Key, false, existing.Enum<DeliveryStatus>("Status") ?? throw EntityValues.Corrupt(existing, "Status", "is missing"));
        }
    }
}

/// <summary>The Deliveries row's properties, mapped one by one.</summary>
internal static class DeliveryMapping
{
    /// <summary>The row as an entity in the partition of its alert's <paramref name="layout"/>.</summary>
    public static TableEntity Write(DeliveryRecord r, DeliveryLayout layout) => Write(r, DeliveryPartitions.PartitionKey(r.Key, layout));

    /// <summary>The row as an entity in <paramref name="partitionKey"/> (one read or derived from the alert's layout).</summary>
    public static TableEntity Write(DeliveryRecord r, string partitionKey) => new(partitionKey, DeliveryRepository.RowKey(r.Key))
    {
        ["Channel"] = r.Channel.ToWireName(),
        ["Status"] = r.Status.ToString(),
        ["SkipReason"] = r.SkipReason?.ToString(),
        ["FailureReason"] = r.FailureReason?.ToString(),
        ["ErrorCode"] = r.ErrorCode,
        ["UnionId"] = r.Contact?.UnionId.Value,
        ["BranchId"] = r.Contact?.BranchId.Value,
        ["ContactId"] = r.Contact?.ContactId.Value,
        ["Address"] = r.Address,
        ["ContactName"] = r.Snapshot?.Name,
        ["ContactLanguage"] = r.Snapshot?.Language.Value,
        ["ContactTimeZone"] = r.Snapshot?.TimeZone.Id,
        ["Language"] = r.Language?.Value,
        ["Encoding"] = r.Encoding?.ToString(),
        ["Segments"] = r.Segments,
        ["ProviderId"] = r.ProviderId,
        ["BodyHash"] = r.BodyHash,
        ["Attempt"] = r.Attempt,
        ["FirstClaimedAt"] = r.FirstClaimedAt.ToStored(),
        ["ClaimedAt"] = r.ClaimedAt.ToStored(),
        ["Released"] = r.Released,
        ["HandedOverAt"] = r.HandedOverAt.ToStored(),
        ["HandoverStoredAt"] = r.HandoverStoredAt.ToStored(),
        ["Unconfirmed"] = r.Unconfirmed,
        ["CreatedAt"] = r.CreatedAt.ToDateTimeOffset(),
        ["UpdatedAt"] = r.UpdatedAt.ToDateTimeOffset(),
        ["SentAt"] = r.SentAt.ToStored(),
        ["NotBefore"] = r.NotBefore.ToStored(),
        ["TraceParent"] = r.TraceParent,
    };

    /// <summary>The report's columns (<see cref="DeliveryRepository.GetReportedRowsAsync"/> selects only these).</summary>
    public static ReportedRow ReadReported(TableEntity e) => new(
        ChannelNames.TryParse(e.GetString("Channel") ?? "", out var channel) ? channel : throw EntityValues.Corrupt(e, "Channel", "is missing or unknown"),
        e.Enum<DeliveryStatus>("Status") ?? throw EntityValues.Corrupt(e, "Status", "is missing"),
        e.Enum<SkipReason>("SkipReason"),
        e.Enum<FailureReason>("FailureReason"),
        e.GetString("ErrorCode"),
        e.GetInt32("Segments"),
        e.GetString("Unconfirmed"));

    public static DeliveryRecord Read(TableEntity e)
    {
        var key = ReadKey(e);
        var union = e.ParseOptional("UnionId", v => UnionId.TryParse(v, out var id) ? id : null);
        var branch = e.ParseOptional("BranchId", v => BranchId.TryParse(v, out var id) ? id : null);
        var contact = e.ParseOptional("ContactId", v => ContactId.TryParse(v, out var id) ? id : null);
        var snapshotLanguage = e.ParseOptional("ContactLanguage", v => LanguageTag.TryParse(v, out var tag) ? tag : null);
        var snapshotZone = e.ParseOptional("ContactTimeZone", v => TimeZoneId.TryParse(v, out var zone) ? zone : null);
        var created = e.Instant("CreatedAt") ?? throw EntityValues.Corrupt(e, "CreatedAt", "is missing");
        return new DeliveryRecord
        {
            Key = key,
            Status = e.Enum<DeliveryStatus>("Status") ?? throw EntityValues.Corrupt(e, "Status", "is missing"),
            SkipReason = e.Enum<SkipReason>("SkipReason"),
            FailureReason = e.Enum<FailureReason>("FailureReason"),
            ErrorCode = e.GetString("ErrorCode"),
            Contact = union is not null && branch is not null && contact is not null ? new ContactRef(union, branch, contact) : null,
            Address = e.GetString("Address"),
            // All three or none: a row written before the snapshot existed has none, and the sender reads the contact.
            Snapshot = e.GetString("ContactName") is { Length: > 0 } name && snapshotLanguage is not null && snapshotZone is not null
                ? new ContactSnapshot(name, snapshotLanguage, snapshotZone)
                : null,
            Language = e.ParseOptional("Language", v => LanguageTag.TryParse(v, out var tag) ? tag : null),
            Encoding = e.Enum<SmsEncodingKind>("Encoding"),
            Segments = e.GetInt32("Segments"),
            ProviderId = e.GetString("ProviderId"),
            BodyHash = e.GetString("BodyHash"),
            Attempt = e.GetInt32("Attempt") ?? 0,
            FirstClaimedAt = e.Instant("FirstClaimedAt"),
            ClaimedAt = e.Instant("ClaimedAt"),
            Released = e.GetBoolean("Released") ?? false,
            HandedOverAt = e.Instant("HandedOverAt"),
            HandoverStoredAt = e.Instant("HandoverStoredAt"),
            Unconfirmed = e.GetString("Unconfirmed"),
            CreatedAt = created,
            UpdatedAt = e.Instant("UpdatedAt") ?? created,
            SentAt = e.Instant("SentAt"),
            NotBefore = e.Instant("NotBefore"),
            TraceParent = e.GetString("TraceParent"),
        };
    }

    private static DeliveryKey ReadKey(TableEntity e)
    {
        if (!DeliveryPartitions.TryParseAnyLayout(e.PartitionKey, out var alertId, out var bucket))
        {
            throw EntityValues.Corrupt(e, "PartitionKey", "is not {alertId}~{bucket}");
        }

        var parts = e.RowKey.Split(EntityValues.KeySeparator);
        var key = parts.Length == 2 && ChannelNames.TryParse(parts[0], out var channel) && RecipientHash.TryParse(parts[1], out var recipient, out _)
            ? new DeliveryKey(alertId, channel, recipient)
            : throw EntityValues.Corrupt(e, "RowKey", "is not {channel}~{recipientHash}");
        return DeliveryPartitions.SuffixFits(bucket, key.Recipient)
            ? key
            : throw EntityValues.Corrupt(e, "PartitionKey", "does not name the bucket of the row's recipient hash");
    }
}

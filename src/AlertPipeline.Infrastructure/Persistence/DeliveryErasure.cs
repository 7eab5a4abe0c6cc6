using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using Azure.Data.Tables;
using Azure;
using NodaTime;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// Removes one contact's personal data from every Deliveries row of every alert (erasure, docs/storage.md). Rows are
/// found by their properties <c>UnionId</c>, <c>BranchId</c>, <c>ContactId</c>: a filtered query over the whole table
/// (no key names a contact), so its cost grows with the table, not with the contact's rows.
/// <para>
/// Each row is rewritten with an ETag-conditional <b>Replace</b> (a Merge cannot remove a property): on 412 the row is
/// read again and scrubbed again, so a sender's concurrent update is kept, never overwritten. A scrubbed row no longer
/// matches the query, so running this again finds only what is left: retries are safe and finish the job.
/// </para>
/// </summary>
public sealed class DeliveryErasure(PipelineTables tables, TimeProvider time)
{
    /// <summary>Conflicts tolerated per row before giving up (the erasure is then retried as a whole).</summary>
    public const int MaxAttemptsPerRow = DeliveryRowRewrite.MaxAttemptsPerRow;

    /// <summary>Scrubs every row of the contact; returns how many rows this call changed.</summary>
    public async Task<int> ScrubAsync(UnionId unionId, BranchId branchId, ContactId contactId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(unionId);
        ArgumentNullException.ThrowIfNull(branchId);
        ArgumentNullException.ThrowIfNull(contactId);
        var table = await tables.GetAsync(PipelineTables.Deliveries, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"UnionId eq {unionId.Value} and BranchId eq {branchId.Value} and ContactId eq {contactId.Value}");
        var target = new ContactRef(unionId, branchId, contactId);
        var scrubbed = 0;
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (await ScrubRowAsync(table, entity, target, cancellationToken).ConfigureAwait(false))
            {
                scrubbed++;
            }
        }

        return scrubbed;
    }

    /// <summary>
    /// The row without the contact (pure): no address, contact snapshot (name, language, time zone), language, body hash or provider id; the branch and contact become
    /// <see cref="ContactRef.Erased"/> (the union stays, so reports add up); status, channel, reasons, error code, segments
    /// and times stay. A Pending row becomes Skipped <c>NoAddress</c> (it can no longer be sent); a Sending row keeps its
    /// status and its sender, finding no address, skips it.
    /// </summary>
    public static DeliveryRecord Scrub(DeliveryRecord row, Instant now)
    {
        ArgumentNullException.ThrowIfNull(row);
        var pending = row.Status == DeliveryStatus.Pending;
        return row with
        {
            Contact = row.Contact is { } contact ? ContactRef.Erased(contact.UnionId) : null,
            Address = null,
            Snapshot = null,
            Language = null,
            BodyHash = null,
            ProviderId = null,
            Status = pending ? DeliveryStatus.Skipped : row.Status,
            SkipReason = pending ? SkipReason.NoAddress : row.SkipReason,
            UpdatedAt = now,
        };
    }

    /// <summary>Scrubs one row read earlier (<paramref name="entity"/> with its ETag); false when it is no longer the contact's.</summary>
    internal Task<bool> ScrubRowAsync(TableClient table, TableEntity entity, ContactRef target, CancellationToken cancellationToken) =>
        DeliveryRowRewrite.ReplaceAsync(
            table, entity, row => row.Contact == target ? Scrub(row, Instant.FromDateTimeOffset(time.GetUtcNow())) : null, "during erasure", cancellationToken);
}

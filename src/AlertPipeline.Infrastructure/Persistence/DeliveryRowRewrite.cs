using AlertPipeline.Core.Deliveries;
using Azure;
using Azure.Data.Tables;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// Rewrites one Deliveries row read earlier with an ETag-conditional <b>Replace</b> (a Merge cannot remove a property).
/// On 412 the row is read again and rewritten from what the other writer left, so a concurrent update is kept, never
/// overwritten. Shared by erasure and the address scrub.
/// </summary>
internal static class DeliveryRowRewrite
{
    /// <summary>Conflicts tolerated per row before giving up (the caller's whole run is then retried).</summary>
    public const int MaxAttemptsPerRow = 8;

    /// <summary>
    /// Replaces the row with <paramref name="rewrite"/> of it; <paramref name="rewrite"/> returns null when the row needs
    /// no change. False when nothing was written (no change, or the row is gone); after
    /// <see cref="MaxAttemptsPerRow"/> conflicts throws a 412 saying "kept changing <paramref name="during"/>".
    /// </summary>
    public static async Task<bool> ReplaceAsync(
        TableClient table, TableEntity entity, Func<DeliveryRecord, DeliveryRecord?> rewrite, string during, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttemptsPerRow; attempt++)
        {
            if (rewrite(DeliveryMapping.Read(entity)) is not { } changed)
            {
                return false;
            }

            var replacement = DeliveryMapping.Write(changed, entity.PartitionKey);
            replacement.RowKey = entity.RowKey;
            try
            {
                await table.UpdateEntityAsync(replacement, entity.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Another writer changed the row: rewrite what it wrote, not what we read.
                if (await table.GetEntityOrNullAsync(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false) is not { } fresh)
                {
                    return false;
                }

                entity = fresh;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return false;
            }
        }

        throw new RequestFailedException(
            412, $"Delivery row ({entity.PartitionKey}, {entity.RowKey}) kept changing {during}; run it again.", "ConditionNotMet", null);
    }
}

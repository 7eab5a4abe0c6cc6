namespace AlertPipeline.Infrastructure.Storage.Tables;

/// <summary>How an update or upsert treats properties the request does not carry.</summary>
public enum TableUpdateMode
{
    /// <summary>Keep them (MERGE).</summary>
    Merge,

    /// <summary>Drop them: the entity becomes exactly what was sent (PUT).</summary>
    Replace,
}

/// <summary>
/// One page of a query. <paramref name="ContinuationToken"/> is opaque and URL-safe; pass it back to
/// <see cref="TableClient.QueryPagesAsync"/> to resume, or null when this was the last page. A page may be empty and
/// still carry a token (the service stops at partition boundaries and time limits).
/// </summary>
public sealed record TablePage(IReadOnlyList<TableEntity> Items, string? ContinuationToken);

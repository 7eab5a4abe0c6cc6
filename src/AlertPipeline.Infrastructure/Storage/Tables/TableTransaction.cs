using Azure;

namespace AlertPipeline.Infrastructure.Storage.Tables;

/// <summary>What one operation of an entity group transaction does (Azure.Data.Tables' names).</summary>
public enum TableTransactionActionType
{
    /// <summary>Insert; fails the transaction if the entity exists.</summary>
    Add,

    /// <summary>Merge into an existing entity (If-Match: the action's ETag, or <see cref="ETag.All"/>).</summary>
    UpdateMerge,

    /// <summary>Replace an existing entity (If-Match: the action's ETag, or <see cref="ETag.All"/>).</summary>
    UpdateReplace,

    /// <summary>Delete (If-Match: the action's ETag; default means any).</summary>
    Delete,

    /// <summary>Insert or merge.</summary>
    UpsertMerge,

    /// <summary>Insert or replace.</summary>
    UpsertReplace,
}

/// <summary>
/// One operation of a transaction. <paramref name="etag"/> is the If-Match for updates (required: the entity's ETag or
/// <see cref="ETag.All"/>) and deletes (default: any); adds and upserts ignore it. A delete only needs the entity's keys.
/// </summary>
public sealed class TableTransactionAction(TableTransactionActionType actionType, TableEntity entity, ETag etag = default)
{
    public TableTransactionActionType ActionType { get; } = actionType;

    public TableEntity Entity { get; } = entity;

    public ETag ETag { get; } = etag;

    public override string ToString() => $"{ActionType} {Entity}";
}

/// <summary>The service's answer to one action of a successful transaction: its status and the entity's new ETag (none for deletes).</summary>
public sealed record TableTransactionResult(TableTransactionAction Action, int Status, ETag ETag);

using Azure;

namespace AlertPipeline.Infrastructure.Storage.Tables;

/// <summary>Well-known Table service error codes (<c>x-ms-error-code</c>).</summary>
public static class TableErrorCode
{
    public const string EntityAlreadyExists = "EntityAlreadyExists";
    public const string ResourceNotFound = "ResourceNotFound";
    public const string UpdateConditionNotSatisfied = "UpdateConditionNotSatisfied";
    public const string TableNotFound = "TableNotFound";
    public const string TableAlreadyExists = "TableAlreadyExists";
    public const string InvalidInput = "InvalidInput";
}

/// <summary>409 EntityAlreadyExists: an insert found an entity with the same keys.</summary>
public sealed class TableEntityAlreadyExistsException(string message, string? errorCode, Exception? innerException = null)
    : RequestFailedException(409, message, errorCode, innerException);

/// <summary>404 ResourceNotFound: the entity does not exist (the table does; a missing table is a plain <see cref="RequestFailedException"/> with TableNotFound).</summary>
public sealed class TableEntityNotFoundException(string message, string? errorCode, Exception? innerException = null)
    : RequestFailedException(404, message, errorCode, innerException);

/// <summary>412 UpdateConditionNotSatisfied: the entity changed since the ETag passed as If-Match was read.</summary>
public sealed class TableConcurrencyException(string message, string? errorCode, Exception? innerException = null)
    : RequestFailedException(412, message, errorCode, innerException);

/// <summary>
/// An entity group transaction failed and none of its operations were applied. <see cref="FailedOperationIndex"/> is
/// the 0-based index of the operation the service rejected (from the <c>N:</c> prefix of its message), when it says.
/// </summary>
public sealed class TableTransactionFailedException(
    int status,
    string message,
    string? errorCode,
    int? failedOperationIndex,
    TableTransactionAction? failedAction)
    : RequestFailedException(status, message, errorCode, null)
{
    public int? FailedOperationIndex { get; } = failedOperationIndex;

    /// <summary>The same as <see cref="FailedOperationIndex"/>, under Azure.Data.Tables' name.</summary>
    public int? FailedTransactionActionIndex => FailedOperationIndex;

    public TableTransactionAction? FailedAction { get; } = failedAction;
}

namespace AlertPipeline.Infrastructure.Storage.Queues;

/// <summary>Service error codes (<see cref="Azure.RequestFailedException.ErrorCode"/>) callers commonly branch on.</summary>
public static class QueueErrorCode
{
    public const string QueueNotFound = "QueueNotFound";
    public const string QueueAlreadyExists = "QueueAlreadyExists";
    public const string QueueBeingDeleted = "QueueBeingDeleted";
    public const string MessageNotFound = "MessageNotFound";
    public const string PopReceiptMismatch = "PopReceiptMismatch";
    public const string MessageTooLarge = "MessageTooLarge";
    public const string RequestBodyTooLarge = "RequestBodyTooLarge";
    public const string AuthenticationFailed = "AuthenticationFailed";
    public const string AuthorizationFailure = "AuthorizationFailure";
    public const string InvalidHeaderValue = "InvalidHeaderValue";
    public const string InvalidQueryParameterValue = "InvalidQueryParameterValue";
    public const string OutOfRangeQueryParameterValue = "OutOfRangeQueryParameterValue";
}

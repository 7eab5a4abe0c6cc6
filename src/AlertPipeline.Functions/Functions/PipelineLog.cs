using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.OptOut;
using AlertPipeline.Core.Pipeline;

namespace AlertPipeline.Functions.Functions;

/// <summary>The pipeline functions' logs: keys, ids, counts and reasons; never a number, an address, a name or a body.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Alert {AlertId} accepted ({AlreadyReceived}): {Chunks} branch chunks, {DeliveryBuckets} delivery buckets")]
    public static partial void AlertAccepted(ILogger logger, string alertId, bool alreadyReceived, int chunks, int deliveryBuckets);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Alert {AlertId} arrived after its expiry: stored, nothing dispatched")]
    public static partial void AlertExpired(ILogger logger, string alertId);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Alert event {MessageId} rejected ({ErrorCount} errors, body sha256 {BodySha256}) and sent to alert-events-poison: {Reasons}")]
    public static partial void EventRejected(ILogger logger, string? messageId, int errorCount, string bodySha256, string reasons);

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "Chunk {Chunk}: {Contacts} contacts, {Added} rows added, {Skipped} skipped, {Sms} SMS and {Email} email dispatched in {Batches} batches ({Scheduled} scheduled for the end of quiet hours), more pages: {HasNext}")]
    public static partial void ChunkDone(ILogger logger, string chunk, int contacts, int added, int skipped, int sms, int email, int batches, int scheduled, bool hasNext);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Chunk {Chunk}: {Deferred} SMS deferred by quiet hours beyond what a dispatch can be scheduled for (released by the ScheduleTick)")]
    public static partial void ChunkDeferred(ILogger logger, string chunk, int deferred);

    [LoggerMessage(EventId = 222, Level = LogLevel.Information, Message = "{Function}: dispatch {DispatchId} (delivery {DeliveryCount}): {Rows} rows, {Sent} sent, settled {Settlement}")]
    public static partial void DispatchDone(ILogger logger, string function, string dispatchId, int deliveryCount, int rows, int sent, string settlement);

    [LoggerMessage(EventId = 223, Level = LogLevel.Warning, Message = "{Function}: dispatch {DispatchId} written to {Queue} ({Reason}): {Description}")]
    public static partial void DispatchPoisoned(ILogger logger, string function, string? dispatchId, string queue, string reason, string description);

    [LoggerMessage(EventId = 220, Level = LogLevel.Information, Message = "{Channel} delivery {DeliveryKey}: {Outcome} ({Status}, skip {SkipReason}, failure {FailureReason}, code {ErrorCode}, provider id {ProviderId}, attempt {Attempt})")]
    public static partial void SendDone(
        ILogger logger, string channel, string deliveryKey, SendOutcome outcome, DeliveryStatus? status, SkipReason? skipReason,
        FailureReason? failureReason, string? errorCode, string? providerId, int attempt);

    [LoggerMessage(EventId = 221, Level = LogLevel.Warning, Message = "{Function}: {Reason}; the message will be retried")]
    public static partial void Retrying(ILogger logger, string function, string reason);

    [LoggerMessage(EventId = 230, Level = LogLevel.Warning, Message = "Twilio webhook {Path} refused with {Status}: {Reason}")]
    public static partial void WebhookRefused(ILogger logger, string path, int status, string? reason);

    [LoggerMessage(EventId = 231, Level = LogLevel.Information, Message = "Status callback for {DeliveryKey}: {MessageStatus} (code {ErrorCode}) → {Outcome}, now {Status}")]
    public static partial void CallbackApplied(ILogger logger, string? deliveryKey, string? messageStatus, string? errorCode, CallbackOutcome outcome, DeliveryStatus? status);

    [LoggerMessage(EventId = 232, Level = LogLevel.Warning, Message = "Status callback ignored: unknown reference {Reference} ({MessageStatus})")]
    public static partial void CallbackUnknown(ILogger logger, string? reference, string? messageStatus);

    [LoggerMessage(EventId = 234, Level = LogLevel.Warning, Message = "Status callback for {DeliveryKey} ignored: its MessageSid {MessageSid} is not the provider id the row recorded ({MessageStatus}; the row stays {Status})")]
    public static partial void CallbackProviderMismatch(ILogger logger, string? deliveryKey, string? messageSid, string? messageStatus, DeliveryStatus? status);

    [LoggerMessage(EventId = 235, Level = LogLevel.Information, Message = "Status callback for {DeliveryKey}: {MessageStatus} (code {ErrorCode}) queued on {Queue}")]
    public static partial void CallbackQueued(ILogger logger, string? deliveryKey, string? messageStatus, string? errorCode, string queue);

    [LoggerMessage(EventId = 236, Level = LogLevel.Warning, Message = "Status callback for {DeliveryKey} ({MessageStatus}) not queued on {Queue}: {Failure}; answered 503 so Twilio sends it again")]
    public static partial void CallbackNotQueued(ILogger logger, string? deliveryKey, string? messageStatus, string queue, string failure);

    [LoggerMessage(EventId = 237, Level = LogLevel.Warning, Message = "{Function}: status for {DeliveryKey} written to {Queue} ({Reason}): {Description}")]
    public static partial void StatusPoisoned(ILogger logger, string function, string? deliveryKey, string queue, string reason, string description);

    [LoggerMessage(EventId = 233, Level = LogLevel.Information, Message = "Inbound SMS from {MaskedFrom}: {Keyword}, replied: {Replied}{Problem}")]
    public static partial void InboundHandled(ILogger logger, string maskedFrom, InboundKeyword keyword, bool replied, string? problem);
}

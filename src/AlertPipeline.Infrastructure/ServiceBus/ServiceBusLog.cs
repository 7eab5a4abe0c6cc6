using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;

namespace AlertPipeline.Infrastructure.ServiceBus;

/// <summary>
/// The Service Bus transport's logs: dispatch ids, queues, counts, reasons and exception types; never a body, a number, an
/// address, or an exception message (an SDK's message may quote one).
/// </summary>
internal static partial class ServiceBusLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Dispatch message {MessageId} (delivery {DeliveryCount}) is malformed and dead-lettered: {Error}")]
    public static partial void Malformed(ILogger logger, string? messageId, int deliveryCount, string? error);

    [LoggerMessage(EventId = 701, Level = LogLevel.Debug, Message = "Dispatch {DispatchId} (delivery {DeliveryCount}): {Rows} deliveries settled, message completed")]
    public static partial void Completed(ILogger logger, string dispatchId, int deliveryCount, int rows);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "Dispatch {DispatchId} (delivery {DeliveryCount}): retry copy {RetryMessageId} scheduled in {Delay}: {Reason}")]
    public static partial void RetryScheduled(ILogger logger, string dispatchId, int deliveryCount, string retryMessageId, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 703, Level = LogLevel.Error, Message = "Dispatch {DispatchId} (delivery {DeliveryCount}) dead-lettered, {DeadLetterReason}: {DeadLetterDescription}")]
    public static partial void DeadLettered(ILogger logger, string dispatchId, int deliveryCount, string deadLetterReason, string deadLetterDescription);

    [LoggerMessage(EventId = 704, Level = LogLevel.Warning, Message = "Dispatch {DispatchId} (delivery {DeliveryCount}) threw {ExceptionType} (message withheld: it may hold personal data); abandoned for redelivery\n{StackTrace}")]
    public static partial void Abandoning(ILogger logger, string dispatchId, int deliveryCount, string exceptionType, string? stackTrace);

    [LoggerMessage(EventId = 705, Level = LogLevel.Warning, Message = "Dispatch {DispatchId}: abandon failed with {ExceptionType}; the message returns when its lock expires")]
    public static partial void AbandonFailed(ILogger logger, string dispatchId, string exceptionType);

    [LoggerMessage(EventId = 706, Level = LogLevel.Warning, Message = "Dispatch {DispatchId} dead-lettered on {Queue} ({DeadLetterReason}) re-driven as {MessageId} (re-drive {Redrive})")]
    public static partial void DeadLetterRedriven(ILogger logger, string dispatchId, string queue, string? deadLetterReason, string messageId, int redrive);

    [LoggerMessage(EventId = 707, Level = LogLevel.Warning, Message = "Dead-lettered message {MessageId} on {Queue} ({DeadLetterReason}) is not re-driven: {Why}")]
    public static partial void DeadLetterKept(ILogger logger, string? messageId, string queue, string? deadLetterReason, string why);

    [LoggerMessage(EventId = 708, Level = LogLevel.Warning, Message = "Dead-lettered message {MessageId} on {Queue}: abandon failed with {ExceptionType}; it returns when its lock expires")]
    public static partial void DeadLetterAbandonFailed(ILogger logger, string? messageId, string queue, string exceptionType);

    [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "Service Bus processor on {Queue} started: {MaxConcurrentCalls} concurrent calls, prefetch {PrefetchCount}, lock renewal up to {MaxAutoLockRenewalDuration}")]
    public static partial void ProcessorStarted(ILogger logger, string queue, int maxConcurrentCalls, int prefetchCount, TimeSpan maxAutoLockRenewalDuration);

    [LoggerMessage(EventId = 711, Level = LogLevel.Information, Message = "Service Bus processor on {Queue} stopped after draining its in-flight messages")]
    public static partial void ProcessorStopped(ILogger logger, string queue);

    [LoggerMessage(EventId = 712, Level = LogLevel.Error, Message = "Service Bus error on {EntityPath} ({ErrorSource}): {ExceptionType}, reason {Reason}, transient {IsTransient} (message withheld)")]
    public static partial void ProcessorError(ILogger logger, string? entityPath, ServiceBusErrorSource errorSource, string exceptionType, string reason, bool isTransient);

    [LoggerMessage(EventId = 713, Level = LogLevel.Warning, Message = "Service Bus processor on {Queue}: the host's shutdown time ran out; in-flight dispatches are cancelled and come back when their locks expire")]
    public static partial void StopTimedOut(ILogger logger, string queue);
}

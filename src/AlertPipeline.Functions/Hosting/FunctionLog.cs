namespace AlertPipeline.Functions.Hosting;

/// <summary>Per-invocation logs. They carry names, ids and reasons, never message bodies.</summary>
internal static partial class FunctionLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Function {FunctionName} ({InvocationId}) succeeded in {ElapsedMs} ms")]
    public static partial void InvocationSucceeded(ILogger logger, string functionName, string? invocationId, long elapsedMs);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Function {FunctionName} ({InvocationId}) failed after {ElapsedMs} ms: {Reason}")]
    public static partial void InvocationFailed(ILogger logger, string functionName, string? invocationId, long elapsedMs, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error,
        Message = "Function {FunctionName} ({InvocationId}) threw {ExceptionType} after {ElapsedMs} ms (message withheld: it may hold personal data)\n{StackTrace}")]
    public static partial void InvocationThrew(
        ILogger logger, string functionName, string? invocationId, string exceptionType, long elapsedMs, string? stackTrace);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Function {FunctionName} ({InvocationId}) got an unreadable invocation request: {Reason}")]
    public static partial void RequestRejected(ILogger logger, string functionName, string? invocationId, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Function {FunctionName} ({InvocationId}) was cancelled")]
    public static partial void InvocationCancelled(ILogger logger, string functionName, string? invocationId);
}

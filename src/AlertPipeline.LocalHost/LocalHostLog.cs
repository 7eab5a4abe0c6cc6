namespace AlertPipeline.LocalHost;

/// <summary>
/// Every log line the local host writes. They carry function names, message ids, dequeue counts, queue names and
/// reasons, never message bodies (they may hold phone numbers) nor pop receipts. Text that comes from the handler goes
/// through <see cref="Redaction.Mask"/> first.
/// </summary>
internal static partial class LocalHostLog
{
    // Host (1xx)
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Local host starting: app {ScriptRoot}, {FunctionCount} functions, lease {Lease}")]
    public static partial void Starting(ILogger logger, string scriptRoot, int functionCount, TimeSpan lease);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Function {FunctionName}: {TriggerType} on {Source}")]
    public static partial void FunctionLoaded(ILogger logger, string functionName, string triggerType, string source);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Function {FunctionName} is disabled ({Why})")]
    public static partial void FunctionDisabled(ILogger logger, string functionName, string why);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Local host started in {ElapsedMs} ms")]
    public static partial void Started(ILogger logger, long elapsedMs);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Local host stopping: no new work; waiting up to {Timeout} for {InFlight} in-flight invocations")]
    public static partial void Stopping(ILogger logger, TimeSpan timeout, int inFlight);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Shutdown timeout reached: {InFlight} invocations abandoned; their messages reappear after their lease")]
    public static partial void ShutdownTimedOut(ILogger logger, int inFlight);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Local host stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "Function {FunctionName}: {Problem}")]
    public static partial void FunctionWarning(ILogger logger, string functionName, string problem);

    // The worker process (2xx)
    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "Worker process {ProcessId} exited with code {ExitCode} after {UptimeSeconds:0.0} s; restarting in {DelayMs} ms")]
    public static partial void WorkerExited(ILogger logger, int processId, int exitCode, double uptimeSeconds, long delayMs);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Worker process restarted: process {ProcessId} (restart {Restart})")]
    public static partial void WorkerRestarted(ILogger logger, int processId, int restart);

    [LoggerMessage(EventId = 204, Level = LogLevel.Error, Message = "Worker process restart failed: {Reason}")]
    public static partial void WorkerRestartFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Restarting the worker process {ProcessId}: {Reason}")]
    public static partial void WorkerRestartRequested(ILogger logger, int processId, string reason);

    [LoggerMessage(EventId = 207, Level = LogLevel.Information, Message = "Worker process stopped: process {ProcessId}")]
    public static partial void WorkerStopped(ILogger logger, int processId);

    [LoggerMessage(EventId = 220, Level = LogLevel.Information, Message = "Worker started: process {ProcessId} ({WorkerPath}), connecting to {RpcAddress}")]
    public static partial void WorkerStarted(ILogger logger, int processId, string workerPath, string rpcAddress);

    [LoggerMessage(EventId = 221, Level = LogLevel.Information, Message = "Worker ready: process {ProcessId} loaded {FunctionCount} functions (HTTP {HttpUri}) in {ElapsedMs} ms")]
    public static partial void WorkerReady(ILogger logger, int processId, int functionCount, string httpUri, long elapsedMs);

    [LoggerMessage(EventId = 222, Level = LogLevel.Debug, Message = "Worker: {Line}")]
    public static partial void WorkerOutput(ILogger logger, string line);

    [LoggerMessage(EventId = 223, Message = "{Category} ({InvocationId}): {Message}")]
    public static partial void WorkerLog(ILogger logger, LogLevel level, string category, string invocationId, string message);

    [LoggerMessage(EventId = 224, Level = LogLevel.Warning, Message = "Refused a gRPC stream that did not open with a known worker's StartStream ({FirstMessage}, worker id '{WorkerId}')")]
    public static partial void WorkerStreamRefused(ILogger logger, string firstMessage, string workerId);

    [LoggerMessage(EventId = 210, Level = LogLevel.Debug, Message = "Function {FunctionName} ({InvocationId}) succeeded in {ElapsedMs} ms")]
    public static partial void InvocationSucceeded(ILogger logger, string functionName, string invocationId, long elapsedMs);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Function {FunctionName} ({InvocationId}) log: {Line}")]
    public static partial void FunctionLogLine(ILogger logger, string functionName, string invocationId, string line);

    [LoggerMessage(EventId = 212, Level = LogLevel.Debug, Message = "Invoking {FunctionName} ({InvocationId})")]
    public static partial void Invoking(ILogger logger, string functionName, string invocationId);

    // Queues and Service Bus (3xx)
    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "Function {FunctionName}: message {MessageId} (dequeue count {DequeueCount}) completed")]
    public static partial void MessageCompleted(ILogger logger, string functionName, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Function {FunctionName}: message {MessageId} failed on dequeue count {DequeueCount} of {MaxDequeueCount}: {Reason}")]
    public static partial void MessageFailed(ILogger logger, string functionName, string messageId, long dequeueCount, int maxDequeueCount, string reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "Function {FunctionName}: message {MessageId} moved to {PoisonQueue} after dequeue count {DequeueCount}: {Reason}")]
    public static partial void MessagePoisoned(ILogger logger, string functionName, string messageId, string poisonQueue, long dequeueCount, string reason);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Function {FunctionName}: message {MessageId}: {Operation} found the message gone or re-leased ({ErrorCode}); ignored")]
    public static partial void MessageLost(ILogger logger, string functionName, string messageId, string operation, string? errorCode);

    [LoggerMessage(EventId = 304, Level = LogLevel.Error, Message = "Function {FunctionName}: message {MessageId}: {Operation} failed; the message reappears after its lease")]
    public static partial void MessageOperationFailed(ILogger logger, Exception exception, string functionName, string messageId, string operation);

    [LoggerMessage(EventId = 305, Level = LogLevel.Debug, Message = "Function {FunctionName}: message {MessageId} lease renewed until {NextVisible:O}")]
    public static partial void LeaseRenewed(ILogger logger, string functionName, string messageId, DateTimeOffset nextVisible);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "Function {FunctionName}: message {MessageId}: lease renewal failed; retrying")]
    public static partial void LeaseRenewalFailed(ILogger logger, Exception exception, string functionName, string messageId);

    [LoggerMessage(EventId = 307, Level = LogLevel.Information, Message = "Function {FunctionName}: queue {QueueName} does not exist yet; polling with back-off")]
    public static partial void QueueNotFound(ILogger logger, string functionName, string queueName);

    [LoggerMessage(EventId = 308, Level = LogLevel.Warning, Message = "Function {FunctionName}: polling {QueueName} failed; backing off {DelayMs} ms")]
    public static partial void PollFailed(ILogger logger, Exception exception, string functionName, string queueName, long delayMs);

    [LoggerMessage(EventId = 309, Level = LogLevel.Information, Message = "Function {FunctionName}: message {MessageId} left on the queue at shutdown; it reappears after its lease")]
    public static partial void MessageAbandonedAtShutdown(ILogger logger, string functionName, string messageId);

    [LoggerMessage(EventId = 310, Level = LogLevel.Debug, Message = "Function {FunctionName}: received {Count} messages from {QueueName} ({InFlight} in flight)")]
    public static partial void BatchReceived(ILogger logger, string functionName, int count, string queueName, int inFlight);

    [LoggerMessage(EventId = 320, Level = LogLevel.Debug, Message = "Function {FunctionName}: wrote {Count} messages to {QueueName} (binding {BindingName})")]
    public static partial void OutputsWritten(ILogger logger, string functionName, int count, string queueName, string bindingName);

    // Timers (4xx)
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Function {FunctionName}: schedule {Schedule} ({TimeZone}); next occurrence {Next:O}")]
    public static partial void TimerScheduled(ILogger logger, string functionName, string schedule, string timeZone, DateTimeOffset next);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Function {FunctionName}: timer fired for {Occurrence:O}")]
    public static partial void TimerFired(ILogger logger, string functionName, DateTimeOffset occurrence);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Function {FunctionName}: timer invocation failed: {Reason}")]
    public static partial void TimerFailed(ILogger logger, string functionName, string reason);

    [LoggerMessage(EventId = 409, Level = LogLevel.Information, Message = "Function {FunctionName}: run through the admin API")]
    public static partial void AdminInvoked(ILogger logger, string functionName);

    // HTTP (5xx)
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "HTTP functions listening on {Address}")]
    public static partial void HttpListening(ILogger logger, string address);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Function {FunctionName}: {Methods} {Path}")]
    public static partial void HttpRoute(ILogger logger, string functionName, string methods, string path);

    [LoggerMessage(EventId = 502, Level = LogLevel.Debug, Message = "Function {FunctionName}: {Method} {Path} → {StatusCode} in {ElapsedMs} ms")]
    public static partial void HttpHandled(ILogger logger, string functionName, string method, string path, int statusCode, long elapsedMs);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "Function {FunctionName}: {Method} {Path} failed: {Reason}")]
    public static partial void HttpFailed(ILogger logger, string functionName, string method, string path, string reason);
}

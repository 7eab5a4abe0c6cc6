using AlertPipeline.Core.Pipeline;
using AlertPipeline.Functions.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace AlertPipeline.Functions.Hosting;

/// <summary>
/// Keeps personal data out of failure reports. The worker sends a failed invocation's exception message to the host, which
/// logs it; an SDK's or the runtime's message may quote a phone number or an email. Our own failures
/// (<see cref="PipelineMessageException"/>, <see cref="PipelineRetryException"/>: reasons that name queues, fields and keys)
/// and cancellations pass unchanged; any other exception is logged here by type and stack trace only and replaced by one
/// that says just its type. The invocation still fails, so the message is retried and poisoned as before.
/// </summary>
public sealed class FailureRedactionMiddleware(ILogger<FailureRedactionMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (PipelineMessageException or PipelineRetryException or OperationCanceledException))
        {
            var type = ex.GetType().FullName ?? ex.GetType().Name;
            FailureLog.Threw(logger, context.FunctionDefinition.Name, context.InvocationId, type, ex.StackTrace);
            throw new FunctionFailedException($"{context.FunctionDefinition.Name} failed: unhandled {type} (message withheld: it may hold personal data)");
        }
    }
}

/// <summary>The failure that replaces an exception whose message was withheld.</summary>
public sealed class FunctionFailedException(string message) : Exception(message);

internal static partial class FailureLog
{
    [LoggerMessage(EventId = 9010, Level = LogLevel.Error,
        Message = "Function {FunctionName} ({InvocationId}) threw {ExceptionType} (message withheld: it may hold personal data)\n{StackTrace}")]
    public static partial void Threw(ILogger logger, string functionName, string invocationId, string exceptionType, string? stackTrace);
}

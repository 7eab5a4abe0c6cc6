using AlertPipeline.Core.Pipeline;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// <c>fanout-chunks</c> → <see cref="FanOutChunkHandler"/>: one page of one branch → delivery rows, a dispatch message per
/// Pending row (<c>sms-dispatch</c> / <c>email-dispatch</c>; SMS deferred by quiet hours wait for the ScheduleTick
/// instead) and the branch's next chunk (<c>fanout-chunks</c>). A throw fails the invocation: the host retries the
/// message, then moves it to <c>fanout-chunks-poison</c>; re-running a chunk writes the same rows.
/// </summary>
public sealed class FanOutChunkFunction(FanOutChunkHandler handler, ILogger<FanOutChunkFunction> logger)
{
    public const string Name = "FanOutChunk";

    [Function(Name)]
    public async Task<FanOutChunkOutput> RunAsync([QueueTrigger(QueueNames.FanOutChunks)] string message, CancellationToken cancellationToken)
    {
        if (!QueueMessages.Read<FanOutChunkMessage>(message, QueueNames.FanOutChunks).TryParse(out var chunk, out var error))
        {
            throw new PipelineMessageException(error);
        }

        FanOutChunkResult result;
        try
        {
            result = await handler.HandleAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (PipelineRetryException ex)
        {
            PipelineLog.Retrying(logger, Name, ex.Message);
            throw;
        }

        PipelineLog.ChunkDone(logger, chunk.ToString(), result.Contacts, result.Added, result.Skipped, result.Sms.Count, result.Email.Count, result.Next is not null);
        if (result.Deferred > 0)
        {
            PipelineLog.ChunkDeferred(logger, chunk.ToString(), result.Deferred);
        }

        return new FanOutChunkOutput
        {
            Sms = QueueMessages.Many(result.Sms),
            Email = QueueMessages.Many(result.Email),
            Next = result.Next is { } next ? QueueMessages.One(next.ToMessage()) : null,
        };
    }
}

/// <summary>FanOutChunk's outputs: one dispatch message per Pending row, and the branch's next page.</summary>
public sealed class FanOutChunkOutput
{
    [QueueOutput(QueueNames.SmsDispatch)]
    public string[]? Sms { get; init; }

    [QueueOutput(QueueNames.EmailDispatch)]
    public string[]? Email { get; init; }

    [QueueOutput(QueueNames.FanOutChunks)]
    public string? Next { get; init; }
}

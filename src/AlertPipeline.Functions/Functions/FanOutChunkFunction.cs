using AlertPipeline.Core.Pipeline;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// <c>fanout-chunks</c> → <see cref="FanOutChunkHandler"/>: one page of one branch → delivery rows, dispatch batches of
/// its Pending rows (sent by the handler through <c>IDispatchQueue</c>, the configured transport; SMS deferred by quiet
/// hours in batches scheduled for their end) and the branch's next chunk (<c>fanout-chunks</c>, the output). A throw fails
/// the invocation: the host retries the message, then moves it to <c>fanout-chunks-poison</c>; re-running a chunk writes
/// the same rows and sends the same batches.
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

        PipelineLog.ChunkDone(logger, chunk.ToString(), result.Contacts, result.Added, result.Skipped, result.Sms, result.Email, result.Batches, result.Scheduled, result.Next is not null);
        if (result.Deferred > 0)
        {
            PipelineLog.ChunkDeferred(logger, chunk.ToString(), result.Deferred);
        }

        return new FanOutChunkOutput { Next = result.Next is { } next ? QueueMessages.One(next.ToMessage()) : null };
    }
}

/// <summary>FanOutChunk's output: the branch's next page (the dispatch batches went through <c>IDispatchQueue</c>).</summary>
public sealed class FanOutChunkOutput
{
    [QueueOutput(QueueNames.FanOutChunks)]
    public string? Next { get; init; }
}

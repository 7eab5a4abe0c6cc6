using System.Diagnostics;
using AlertPipeline.Core.Common;
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
        var body = QueueMessages.Read<FanOutChunkMessage>(message, QueueNames.FanOutChunks);
        using var activity = PipelineTelemetry.StartConsumer(PipelineTelemetry.Spans.FanOutChunk, body.TraceParent, QueueNames.FanOutChunks);
        if (!body.TryParse(out var chunk, out var error))
        {
            activity?.SetStatus(ActivityStatusCode.Error, error);
            throw new PipelineMessageException(error);
        }

        activity?.SetTag(PipelineTelemetry.Tags.AlertId, chunk.AlertId.Value);
        activity?.SetTag(PipelineTelemetry.Tags.Chunk, chunk.ToString());
        FanOutChunkResult result;
        try
        {
            result = await handler.HandleAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (PipelineRetryException ex)
        {
            PipelineLog.Retrying(logger, Name, ex.Message);
            activity?.SetStatus(ActivityStatusCode.Error, "retry");
            throw;
        }

        PipelineLog.ChunkDone(logger, chunk.ToString(), result.Contacts, result.Added, result.Skipped, result.Sms, result.Email, result.Batches, result.Scheduled, result.Next is not null);
        if (result.Deferred > 0)
        {
            PipelineLog.ChunkDeferred(logger, chunk.ToString(), result.Deferred);
        }

        activity?.SetTag(PipelineTelemetry.Tags.Count, result.Sms + result.Email);
        PipelineTelemetry.DeliveriesPlanned.Add(result.Added);
        PipelineTelemetry.Dispatched.Add(result.Batches);
        // The next page continues this trace; the dispatch batches carry it too (the handler stamps them).
        var next = result.Next is { } page ? page.ToMessage() with { TraceParent = PipelineTelemetry.CurrentTraceParent() } : null;
        return new FanOutChunkOutput { Next = next is null ? null : QueueMessages.One(next) };
    }
}

/// <summary>FanOutChunk's output: the branch's next page (the dispatch batches went through <c>IDispatchQueue</c>).</summary>
public sealed class FanOutChunkOutput
{
    [QueueOutput(QueueNames.FanOutChunks)]
    public string? Next { get; init; }
}

using System.Diagnostics;
using AlertPipeline.Core.Common;
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

        PipelineLog.ChunkDone(logger, chunk.ToString(), result.Contacts, result.Added, result.Skipped, result.Sms.Count, result.Email.Count, result.Next is not null);
        if (result.Deferred > 0)
        {
            PipelineLog.ChunkDeferred(logger, chunk.ToString(), result.Deferred);
        }

        activity?.SetTag(PipelineTelemetry.Tags.Count, result.Sms.Count + result.Email.Count);
        PipelineTelemetry.DeliveriesPlanned.Add(result.Added);
        PipelineTelemetry.Dispatched.Add(result.Sms.Count, new KeyValuePair<string, object?>(PipelineTelemetry.Tags.Channel, "sms"));
        PipelineTelemetry.Dispatched.Add(result.Email.Count, new KeyValuePair<string, object?>(PipelineTelemetry.Tags.Channel, "email"));
        var trace = PipelineTelemetry.CurrentTraceParent();
        return new FanOutChunkOutput
        {
            Sms = QueueMessages.Many(result.Sms.Select(m => m with { TraceParent = trace })),
            Email = QueueMessages.Many(result.Email.Select(m => m with { TraceParent = trace })),
            Next = result.Next is { } next ? QueueMessages.One(next.ToMessage() with { TraceParent = trace }) : null,
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

using System.Text.Json;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Pipeline;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// <c>alert-events</c> → <see cref="FanOutHandler"/> → one <c>fanout-chunks</c> message per subscribed branch. An invalid
/// event is not retried: its body goes to <c>alert-events-poison</c> (as the JSON object it was, or wrapped as
/// <c>{"unparsedBody": "…"}</c> when it was not an object) and its reasons are logged and recorded in RejectedEvents.
/// </summary>
public sealed class FanOutFunction(FanOutHandler handler, ILogger<FanOutFunction> logger)
{
    public const string Name = "FanOut";

    /// <param name="body">The event's JSON (the queue's base64 already decoded by the host).</param>
    /// <param name="id">The queue message id (trigger metadata), recorded with a rejection.</param>
    [Function(Name)]
    public async Task<FanOutOutput> RunAsync([QueueTrigger(QueueNames.AlertEvents)] string body, string? id, CancellationToken cancellationToken)
    {
        // The alert's trace starts here, or continues the producer's (the event's optional traceparent).
        using var activity = PipelineTelemetry.StartConsumer(PipelineTelemetry.Spans.FanOut, AlertEventParser.TraceParentOf(body), QueueNames.AlertEvents);
        var result = await handler.HandleAsync(body, id, cancellationToken).ConfigureAwait(false);
        activity?.SetTag(PipelineTelemetry.Tags.AlertId, result.AlertId?.Value);
        activity?.SetTag(PipelineTelemetry.Tags.Outcome, result.Outcome.ToString());
        PipelineTelemetry.Alerts.Add(1, new KeyValuePair<string, object?>(PipelineTelemetry.Tags.Outcome, result.Outcome.ToString()));
        switch (result.Outcome)
        {
            case FanOutOutcome.Accepted:
                PipelineLog.AlertAccepted(logger, result.AlertId!.Value, result.AlreadyReceived, result.Chunks.Count, result.Layout?.Buckets ?? 16);
                activity?.SetTag(PipelineTelemetry.Tags.Count, result.Chunks.Count);
                var trace = PipelineTelemetry.CurrentTraceParent();
                return new FanOutOutput { Chunks = QueueMessages.Many(result.Chunks.Select(c => c.ToMessage() with { TraceParent = trace })) };
            case FanOutOutcome.Expired:
                PipelineLog.AlertExpired(logger, result.AlertId!.Value);
                return new FanOutOutput();
            default:
                var reasons = Redact.PersonalDataIn(string.Join("; ", result.Errors));
                PipelineLog.EventRejected(logger, result.Rejection?.MessageId, result.Errors.Count, result.Rejection?.BodySha256 ?? "", reasons);
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "rejected: " + result.Errors.Count + " errors");
                return new FanOutOutput { Poison = PoisonBody(body) };
        }
    }

    /// <summary>The original body when it is a JSON object (so it reads like any other poisoned message), else wrapped.</summary>
    internal static string PoisonBody(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document.RootElement.GetRawText();
            }
        }
        catch (JsonException)
        {
        }

        return QueueMessages.One(new PoisonWrapper(body));
    }

    private sealed record PoisonWrapper(string UnparsedBody);
}

/// <summary>FanOut's outputs: the branch chunks, or the rejected event's body for the poison queue.</summary>
public sealed class FanOutOutput
{
    [QueueOutput(QueueNames.FanOutChunks)]
    public string[]? Chunks { get; init; }

    [QueueOutput(QueueNames.AlertEventsPoison)]
    public string? Poison { get; init; }
}

using System.Text.Json;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.CustomHandler;
using AlertPipeline.CustomHandler.Configuration;
using AlertPipeline.Functions.Hosting;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// <c>alert-events</c> → <see cref="FanOutHandler"/> → one <c>fanout-chunks</c> message per subscribed branch. An invalid
/// event is not retried: its body goes to <c>alert-events-poison</c> (as the JSON object it was, or wrapped as
/// <c>{"unparsedBody": "…"}</c> when it was not an object) and its reasons are logged and recorded in RejectedEvents.
/// </summary>
public sealed class FanOutFunction(FanOutHandler handler, ILogger<FanOutFunction> logger) : IFunction
{
    public const string Name = "FanOut";

    public static FunctionDefinition Definition { get; } = new(
        Name,
        [
            new QueueTriggerBinding("event", QueueNames.AlertEvents, BindingTypes.DefaultStorageConnection),
            new QueueOutputBinding("chunks", QueueNames.FanOutChunks, BindingTypes.DefaultStorageConnection),
            new QueueOutputBinding("poison", QueueNames.AlertEventsPoison, BindingTypes.DefaultStorageConnection),
        ]);

    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var body = request.GetMessageText("event");
        var result = await handler.HandleAsync(body, request.GetMetadataString(MetadataKeys.Id), cancellationToken).ConfigureAwait(false);
        var response = new InvocationResponseBuilder();
        switch (result.Outcome)
        {
            case FanOutOutcome.Accepted:
                PipelineLog.AlertAccepted(logger, result.AlertId!.Value, result.AlreadyReceived, result.Chunks.Count);
                return response.AddOutputs("chunks", result.Chunks.Select(c => c.ToMessage())).Build();
            case FanOutOutcome.Expired:
                PipelineLog.AlertExpired(logger, result.AlertId!.Value);
                return response.Log($"Alert {result.AlertId} expired before fan-out; nothing dispatched.").Build();
            default:
                var reasons = Redact.PersonalDataIn(string.Join("; ", result.Errors));
                PipelineLog.EventRejected(logger, result.Rejection?.MessageId, result.Errors.Count, result.Rejection?.BodySha256 ?? "", reasons);
                return response.AddOutput("poison", PoisonBody(body)).Log($"Rejected ({result.Errors.Count} errors): {reasons}").Build();
        }
    }

    /// <summary>The original body as an object when it is one (so it reads like any other poisoned message), else wrapped.</summary>
    private static object PoisonBody(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document.RootElement.Clone();
            }
        }
        catch (JsonException)
        {
        }

        return new PoisonWrapper(body);
    }

    private sealed record PoisonWrapper(string UnparsedBody);
}

using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Pipeline;

/// <summary>The queues between the functions (Storage queues; the dispatch queues are Service Bus queues in Azure).</summary>
public static class QueueNames
{
    public const string AlertEvents = "alert-events";
    public const string AlertEventsPoison = AlertEvents + PoisonSuffix;
    public const string FanOutChunks = "fanout-chunks";
    public const string SmsDispatch = "sms-dispatch";
    public const string EmailDispatch = "email-dispatch";
    public const string ContactImports = "contact-imports";

    /// <summary>Twilio status callbacks accepted by the webhook, applied to their rows by <c>ApplySmsStatus</c> (a Storage queue in both dispatch transports).</summary>
    public const string SmsStatus = "sms-status";

    /// <summary>What the Functions queue trigger appends to a queue's name for its poison queue (private: every public constant here is a queue).</summary>
    private const string PoisonSuffix = "-poison";

    public static string DispatchFor(Channel channel) => channel == Channel.Sms ? SmsDispatch : EmailDispatch;

    /// <summary>The poison queue of <paramref name="queue"/> (<c>{queue}-poison</c>).</summary>
    public static string PoisonOf(string queue) => queue + PoisonSuffix;

    public static bool IsPoison(string queue) => queue.EndsWith(PoisonSuffix, StringComparison.Ordinal);
}

/// <summary>One page of one subscribed branch for one alert: what <c>FanOutChunk</c> works on.</summary>
/// <param name="Page">0 for the branch's first page; counts up as continuation chunks follow (for logs).</param>
/// <param name="ContinuationToken">Where the page starts (null: the branch's first page). Opaque; keys only.</param>
public sealed record FanOutChunk(AlertId AlertId, UnionId UnionId, BranchId BranchId, int Page, string? ContinuationToken)
{
    /// <summary>Contacts read on the branch's earlier pages (0 on its first page); null in a message written before this was
    /// carried. The chunk of the last page stores the branch's contact count from it (<see cref="Ports.IContactCountStore"/>).</summary>
    public int? ContactsBefore { get; init; }

    public FanOutChunkMessage ToMessage() => new(AlertId.Value, UnionId.Value, BranchId.Value, Page, ContinuationToken) { ContactsBefore = ContactsBefore };

    public override string ToString() => $"{AlertId}/{UnionId}/{BranchId} page {Page}";
}

/// <summary>
/// The JSON of a <c>fanout-chunks</c> message: <c>{"alertId","unionId","branchId","page","continuationToken","traceparent","contactsBefore"}</c>
/// (<c>contactsBefore</c> optional: absent in messages written before it existed).
/// No field is named <c>Id</c>, <c>DequeueCount</c>, <c>DeliveryCount</c> or <c>MessageId</c> (the Functions host merges
/// top-level fields into trigger metadata). <c>traceparent</c>: the W3C trace context of the span that wrote it
/// (docs/observability.md), set by the function that sends it; it does not take part in parsing.
/// </summary>
public sealed record FanOutChunkMessage(
    string? AlertId, string? UnionId, string? BranchId, int Page, string? ContinuationToken,
    [property: JsonPropertyName(PipelineTelemetry.TraceParentField)] string? TraceParent = null)
{
    /// <summary>See <see cref="FanOutChunk.ContactsBefore"/>.</summary>
    public int? ContactsBefore { get; init; }

    public bool TryParse([NotNullWhen(true)] out FanOutChunk? chunk, [NotNullWhen(false)] out string? error)
    {
        chunk = null;
        if (!Alerts.AlertId.TryParse(AlertId, out var alertId, out error)
            || !Contacts.UnionId.TryParse(UnionId, out var unionId, out error)
            || !Contacts.BranchId.TryParse(BranchId, out var branchId, out error))
        {
            error = "fan-out chunk: " + error;
            return false;
        }

        if (Page < 0 || ContactsBefore < 0)
        {
            error = Page < 0 ? "fan-out chunk: page must not be negative" : "fan-out chunk: contactsBefore must not be negative";
            return false;
        }

        chunk = new FanOutChunk(alertId, unionId, branchId, Page, ContinuationToken) { ContactsBefore = ContactsBefore };
        return true;
    }
}

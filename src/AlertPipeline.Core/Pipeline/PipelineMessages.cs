using System.Diagnostics.CodeAnalysis;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Pipeline;

/// <summary>The queues between the functions (Storage queues; the dispatch queues are Service Bus queues in Azure).</summary>
public static class QueueNames
{
    public const string AlertEvents = "alert-events";
    public const string AlertEventsPoison = "alert-events-poison";
    public const string FanOutChunks = "fanout-chunks";
    public const string SmsDispatch = "sms-dispatch";
    public const string EmailDispatch = "email-dispatch";
    public const string ContactImports = "contact-imports";

    public static string DispatchFor(Channel channel) => channel == Channel.Sms ? SmsDispatch : EmailDispatch;
}

/// <summary>One page of one subscribed branch for one alert: what <c>FanOutChunk</c> works on.</summary>
/// <param name="Page">0 for the branch's first page; counts up as continuation chunks follow (for logs).</param>
/// <param name="ContinuationToken">Where the page starts (null: the branch's first page). Opaque; keys only.</param>
public sealed record FanOutChunk(AlertId AlertId, UnionId UnionId, BranchId BranchId, int Page, string? ContinuationToken)
{
    public FanOutChunkMessage ToMessage() => new(AlertId.Value, UnionId.Value, BranchId.Value, Page, ContinuationToken);

    public override string ToString() => $"{AlertId}/{UnionId}/{BranchId} page {Page}";
}

/// <summary>
/// The JSON of a <c>fanout-chunks</c> message: <c>{"alertId","unionId","branchId","page","continuationToken"}</c>. No
/// field is named <c>Id</c>, <c>DequeueCount</c>, <c>DeliveryCount</c> or <c>MessageId</c> (the Functions host merges
/// top-level fields into trigger metadata).
/// </summary>
public sealed record FanOutChunkMessage(string? AlertId, string? UnionId, string? BranchId, int Page, string? ContinuationToken)
{
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

        if (Page < 0)
        {
            error = "fan-out chunk: page must not be negative";
            return false;
        }

        chunk = new FanOutChunk(alertId, unionId, branchId, Page, ContinuationToken);
        return true;
    }
}

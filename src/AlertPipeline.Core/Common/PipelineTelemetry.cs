using System.Diagnostics;
using System.Diagnostics.Metrics;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;

namespace AlertPipeline.Core.Common;

/// <summary>
/// The pipeline's traces and metrics (docs/observability.md): ONE <see cref="ActivitySource"/> and ONE <see cref="Meter"/>,
/// both named <see cref="Name"/>, every span and instrument name, and the helpers that carry a trace across a queue
/// message as a W3C <c>traceparent</c>. BCL types only (System.Diagnostics): exporting is the app's business.
/// <para>
/// Tags carry ids (alert id, delivery key: a keyed hash, never an address), channels, outcomes, statuses and codes. Never a
/// phone number, an email address, a name or a message body; metric tags never carry ids either (cardinality).
/// </para>
/// </summary>
public static class PipelineTelemetry
{
    /// <summary>The name of the pipeline's activity source and meter.</summary>
    public const string Name = "AlertPipeline";

    /// <summary>The JSON name of the trace context in the alert event and every pipeline message body (the W3C header's name).</summary>
    public const string TraceParentField = "traceparent";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Span names: one per stage of an alert's trace.</summary>
    public static class Spans
    {
        public const string FanOut = "FanOut process";
        public const string FanOutChunk = "FanOutChunk process";
        public const string SendSms = "SendSms process";
        public const string SendEmail = "SendEmail process";
        public const string StatusCallback = "TwilioStatus apply";
    }

    /// <summary>Attribute (tag) names: OpenTelemetry's messaging conventions where they fit, <c>alertpipeline.*</c> for ours.</summary>
    public static class Tags
    {
        public const string MessagingSystem = "messaging.system";
        public const string MessagingOperation = "messaging.operation.type";
        public const string Destination = "messaging.destination.name";
        public const string AlertId = "alertpipeline.alert_id";
        public const string DeliveryKey = "alertpipeline.delivery_key";
        public const string DispatchId = "alertpipeline.dispatch_id";
        public const string Settlement = "alertpipeline.settlement";
        public const string Chunk = "alertpipeline.chunk";
        public const string Channel = "alertpipeline.channel";
        public const string Outcome = "alertpipeline.outcome";
        public const string Status = "alertpipeline.status";
        public const string Count = "alertpipeline.count";
        public const string ErrorCode = "alertpipeline.error_code";
    }

    /// <summary>Alert events handled by FanOut; tag <c>alertpipeline.outcome</c> (accepted, expired, rejected).</summary>
    public static readonly Counter<long> Alerts = Meter.CreateCounter<long>("alertpipeline.alerts", "{alert}", "Alert events handled by FanOut");

    /// <summary>Delivery rows fan-out inserted; tag <c>alertpipeline.channel</c>.</summary>
    public static readonly Counter<long> DeliveriesPlanned = Meter.CreateCounter<long>("alertpipeline.deliveries.planned", "{delivery}", "Delivery rows written by fan-out");

    /// <summary>Dispatch batches (messages) sent by fan-out.</summary>
    public static readonly Counter<long> Dispatched = Meter.CreateCounter<long>("alertpipeline.dispatch.batches", "{message}", "Dispatch batches sent by fan-out");

    /// <summary>Dispatched deliveries by outcome; tags <c>alertpipeline.channel</c>, <c>alertpipeline.outcome</c>.</summary>
    public static readonly Counter<long> Sends = Meter.CreateCounter<long>("alertpipeline.sends", "{delivery}", "Dispatched deliveries handled by the senders");

    /// <summary>How long one dispatch batch took (claims, provider calls, records); tags <c>alertpipeline.channel</c>, <c>alertpipeline.settlement</c>.</summary>
    public static readonly Histogram<double> DispatchDuration = Meter.CreateHistogram<double>("alertpipeline.dispatch.duration", "s", "Time to handle one dispatch batch");

    /// <summary>Twilio status callbacks; tags <c>alertpipeline.outcome</c>, <c>alertpipeline.status</c>.</summary>
    public static readonly Counter<long> StatusCallbacks = Meter.CreateCounter<long>("alertpipeline.status_callbacks", "{callback}", "Twilio status callbacks handled");

    /// <summary>Records one handled dispatch batch: its rows by outcome, its duration, and its settlement on the current span.</summary>
    public static void RecordDispatch(Channel channel, DispatchBatchResult result, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(result);
        var wire = channel.ToWireName();
        foreach (var outcome in result.Rows.GroupBy(r => r.Outcome))
        {
            Sends.Add(outcome.Count(), new KeyValuePair<string, object?>(Tags.Channel, wire), new KeyValuePair<string, object?>(Tags.Outcome, outcome.Key.ToString()));
        }

        var settlement = result.Settlement.GetType().Name;
        DispatchDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(Tags.Channel, wire), new KeyValuePair<string, object?>(Tags.Settlement, settlement));
        if (Activity.Current is { } current && current.Source == Source)
        {
            current.SetTag(Tags.Settlement, settlement);
            current.SetTag(Tags.Outcome, string.Join(",", result.Rows.Select(r => r.Outcome.ToString()).Distinct().Order(StringComparer.Ordinal)));
            if (result.Settlement is not DispatchSettlement.Complete)
            {
                current.SetStatus(ActivityStatusCode.Error, settlement);
            }
        }
    }

    /// <summary>The W3C <c>traceparent</c> of the current activity (to write into an outgoing message), or null when none is recorded.</summary>
    public static string? CurrentTraceParent() => Activity.Current is { } current && current.IdFormat == ActivityIdFormat.W3C ? current.Id : null;

    /// <summary>
    /// Starts a consumer span for a message that carried <paramref name="traceParent"/>: a child of the producer's span,
    /// so the alert stays one trace across the queue, linked to the invocation's own span (<see cref="Activity.Current"/>:
    /// the worker's, whose parent the host made up). A message without a valid traceparent (an external producer's event)
    /// continues the current span instead: telemetry never rejects a message. Null when nothing listens.
    /// </summary>
    public static Activity? StartConsumer(string name, string? traceParent, string queue)
    {
        var activity = TryParse(traceParent, out var parent)
            ? Source.StartActivity(name, ActivityKind.Consumer, parent, links: Activity.Current is { } ambient ? [new ActivityLink(ambient.Context)] : null)
            : Source.StartActivity(name, ActivityKind.Consumer);
        activity?.SetTag(Tags.MessagingSystem, "azure_queue");
        activity?.SetTag(Tags.MessagingOperation, "process");
        activity?.SetTag(Tags.Destination, queue);
        return activity;
    }

    /// <summary>Starts an internal span as a child of a stored <paramref name="traceParent"/> (the status callback's row), linked to the current one.</summary>
    public static Activity? StartContinuation(string name, string? traceParent)
    {
        if (!TryParse(traceParent, out var parent))
        {
            return Source.StartActivity(name, ActivityKind.Internal);
        }

        ActivityLink[]? links = Activity.Current is { } ambient ? [new ActivityLink(ambient.Context)] : null;
        return Source.StartActivity(name, ActivityKind.Internal, parent, links: links);
    }

    /// <summary>Whether <paramref name="traceParent"/> is a valid W3C traceparent (version 00, non-zero ids).</summary>
    public static bool TryParse(string? traceParent, out ActivityContext context)
    {
        context = default;
        return traceParent is { Length: 55 } && ActivityContext.TryParse(traceParent, null, isRemote: true, out context);
    }
}

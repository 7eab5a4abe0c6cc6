using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using Azure.Messaging.ServiceBus;
using NodaTime;

namespace AlertPipeline.Infrastructure.ServiceBus;

/// <summary>
/// A <see cref="DispatchBatch"/> as a Service Bus message, and back (docs/pipeline.md, "Service Bus transport"). The body
/// is the <see cref="DispatchBatchMessage"/> JSON both transports share; the broker properties carry only ids and counts:
/// never a number, an email or a name.
/// </summary>
public static class ServiceBusDispatchMessages
{
    public const string ContentType = "application/json";

    public const string Subject = "dispatch";

    /// <summary>Application property: the alert id (also the <c>CorrelationId</c>).</summary>
    public const string AlertIdProperty = "alertId";

    /// <summary>Application property: <c>sms</c> or <c>email</c>.</summary>
    public const string ChannelProperty = "channel";

    /// <summary>Application property: the Deliveries partition bucket (0–15).</summary>
    public const string BucketProperty = "bucket";

    /// <summary>Application property: how many deliveries the message names.</summary>
    public const string CountProperty = "count";

    /// <summary>Application property: the W3C trace context of the fan-out that made the batch, when there was one.</summary>
    public const string TraceParentProperty = "traceparent";

    /// <summary>
    /// Application property of a retry copy: the deliveries of the batch before this copy was sent, so the handler's
    /// 1-based delivery count (backoff, <see cref="PipelineOptions.MaxDispatchDeliveries"/>) keeps counting across copies,
    /// whose own <c>DeliveryCount</c> starts again at 1.
    /// </summary>
    public const string PriorDeliveriesProperty = "priorDeliveries";

    /// <summary>
    /// Application property of a copy re-driven from the dead-letter queue (<see cref="ServiceBusDeadLetterRedriver"/>):
    /// <c>dl{sequence number}</c> of the dead-lettered message, also in the copy's <c>MessageId</c> and in its retry copies'
    /// (kept by the copy constructor), so none of them collides with an id of the original's chain inside the duplicate
    /// detection window.
    /// </summary>
    public const string RedriveOfProperty = "redriveOf";

    /// <summary>
    /// The message of <paramref name="batch"/>: <c>MessageId</c> = <see cref="DispatchBatch.DispatchId"/> (the queue's
    /// duplicate detection drops a re-sent batch), <c>CorrelationId</c> = the alert id, and
    /// <c>ScheduledEnqueueTime</c> = <see cref="DispatchBatch.NotBefore"/> when that lies after <paramref name="now"/>.
    /// </summary>
    public static ServiceBusMessage Create(DispatchBatch batch, Instant now)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var message = new ServiceBusMessage(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(batch.ToMessage(), JsonSerializerOptions.Web)))
        {
            MessageId = batch.DispatchId,
            CorrelationId = batch.AlertId.Value,
            ContentType = ContentType,
            Subject = Subject,
        };
        if (batch.NotBefore is { } notBefore && notBefore > now)
        {
            message.ScheduledEnqueueTime = notBefore.ToDateTimeOffset();
        }

        message.ApplicationProperties[AlertIdProperty] = batch.AlertId.Value;
        message.ApplicationProperties[ChannelProperty] = batch.Channel.ToWireName();
        message.ApplicationProperties[BucketProperty] = batch.Bucket;
        message.ApplicationProperties[CountProperty] = batch.Recipients.Count;
        if (batch.TraceParent is { } traceParent)
        {
            message.ApplicationProperties[TraceParentProperty] = traceParent;
        }

        return message;
    }

    /// <summary>
    /// The copy that brings <paramref name="received"/> back after <paramref name="delay"/>: the same body and properties
    /// (the SDK's copy constructor), <c>MessageId</c> = dispatch id + <c>-r</c> + <paramref name="deliveryCount"/> (stable
    /// for that delivery, distinct from the original, which duplicate detection would otherwise drop), scheduled at
    /// <paramref name="now"/> + <paramref name="delay"/>, carrying <see cref="PriorDeliveriesProperty"/>.
    /// </summary>
    public static ServiceBusMessage RetryCopy(ServiceBusReceivedMessage received, DispatchBatch batch, int deliveryCount, TimeSpan delay, Instant now)
    {
        ArgumentNullException.ThrowIfNull(received);
        ArgumentNullException.ThrowIfNull(batch);
        var copy = new ServiceBusMessage(received)
        {
            MessageId = RetryMessageId(batch, deliveryCount, received.ApplicationProperties.TryGetValue(RedriveOfProperty, out var of) ? of as string : null),
            ScheduledEnqueueTime = (now + Duration.FromTimeSpan(delay)).ToDateTimeOffset(),
        };
        copy.ApplicationProperties[PriorDeliveriesProperty] = deliveryCount;
        return copy;
    }

    /// <summary>
    /// The <c>MessageId</c> of the retry copy sent after the <paramref name="deliveryCount"/>-th delivery (of a re-driven
    /// copy: with its <see cref="RedriveOfProperty"/>).
    /// </summary>
    public static string RetryMessageId(DispatchBatch batch, int deliveryCount, string? redriveOf = null) =>
        redriveOf is { Length: > 0 } ? $"{batch.DispatchId}-{redriveOf}-r{deliveryCount}" : $"{batch.DispatchId}-r{deliveryCount}";

    /// <summary>
    /// The copy of a dead-lettered dispatch message that <see cref="ServiceBusDeadLetterRedriver"/> sends back to its queue:
    /// the same body and properties (the SDK's copy constructor), <c>MessageId</c> = dispatch id + <c>-dl</c> + the
    /// dead-lettered message's sequence number (see <see cref="RedriveOfProperty"/>), without the dead-letter reason and
    /// description and without <see cref="PriorDeliveriesProperty"/> (the copy gets the full
    /// <see cref="PipelineOptions.MaxDispatchDeliveries"/> again; its re-drive budget is what bounds it).
    /// </summary>
    public static ServiceBusMessage RedriveCopy(ServiceBusReceivedMessage deadLettered, DispatchBatch batch)
    {
        ArgumentNullException.ThrowIfNull(deadLettered);
        ArgumentNullException.ThrowIfNull(batch);
        var redriveOf = "dl" + deadLettered.SequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var copy = new ServiceBusMessage(deadLettered) { MessageId = $"{batch.DispatchId}-{redriveOf}" };
        copy.ApplicationProperties.Remove(PriorDeliveriesProperty);
        copy.ApplicationProperties.Remove(DeadLetterReasonProperty);
        copy.ApplicationProperties.Remove(DeadLetterDescriptionProperty);
        copy.ApplicationProperties[RedriveOfProperty] = redriveOf;
        return copy;
    }

    // Where the broker keeps a dead-lettered message's reason and description (the SDK's DeadLetterReason/-ErrorDescription).
    private const string DeadLetterReasonProperty = "DeadLetterReason";
    private const string DeadLetterDescriptionProperty = "DeadLetterErrorDescription";

    /// <summary>
    /// The handler's 1-based delivery count of <paramref name="received"/>: its own <c>DeliveryCount</c> plus the
    /// <see cref="PriorDeliveriesProperty"/> of a retry copy.
    /// </summary>
    public static int DeliveryCount(ServiceBusReceivedMessage received)
    {
        ArgumentNullException.ThrowIfNull(received);
        var prior = received.ApplicationProperties.TryGetValue(PriorDeliveriesProperty, out var value) && value is int count and > 0 ? count : 0;
        return prior + Math.Max(1, received.DeliveryCount);
    }

    /// <summary>
    /// Reads the body as a <see cref="DispatchBatchMessage"/> and validates it; the error names what is wrong (never
    /// quoting the body).
    /// </summary>
    public static bool TryRead(ServiceBusReceivedMessage received, out DispatchBatch? batch, out string? error)
    {
        ArgumentNullException.ThrowIfNull(received);
        batch = null;
        DispatchBatchMessage? body;
        try
        {
            body = JsonSerializer.Deserialize<DispatchBatchMessage>(received.Body.ToMemory().Span, JsonSerializerOptions.Web);
        }
        catch (JsonException ex)
        {
            error = $"dispatch message: not valid JSON ({ex.GetType().Name} at line {ex.LineNumber}, byte {ex.BytePositionInLine})";
            return false;
        }

        if (body is null)
        {
            error = "dispatch message: JSON null, expected an object";
            return false;
        }

        return body.TryParse(out batch, out error);
    }
}

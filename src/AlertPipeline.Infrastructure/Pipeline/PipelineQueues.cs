using AlertPipeline.Core.Common;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Pipeline;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace AlertPipeline.Infrastructure.Pipeline;

/// <summary>
/// The pipeline's queues on a Storage account (locally: Azurite; the dispatch queues are Service Bus queues in Azure and
/// Azurite queues of the same name locally). For producers, the demo and tests: create the queues and publish alert
/// events the way the <c>FanOut</c> queue trigger reads them (UTF-8 JSON, base64, as host.json's messageEncoding says).
/// </summary>
public sealed class PipelineQueues(QueueServiceClient queues)
{
    /// <summary>Every queue the pipeline reads or writes, with the poison queues the host (or the local host) uses.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        QueueNames.AlertEvents, QueueNames.AlertEventsPoison,
        QueueNames.FanOutChunks, QueueNames.PoisonOf(QueueNames.FanOutChunks),
        QueueNames.SmsDispatch, QueueNames.PoisonOf(QueueNames.SmsDispatch),
        QueueNames.EmailDispatch, QueueNames.PoisonOf(QueueNames.EmailDispatch),
        QueueNames.ContactImports, QueueNames.PoisonOf(QueueNames.ContactImports),
        QueueNames.SmsStatus, QueueNames.PoisonOf(QueueNames.SmsStatus),
    ];

    public async Task CreateAllAsync(CancellationToken cancellationToken = default)
    {
        foreach (var name in All)
        {
            await queues.GetQueueClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The most an alert event may take on <c>alert-events</c>: one Queue service message, 64 KiB once base64-encoded.</summary>
    public const int MaxEventMessageBytes = 64 * 1024;

    /// <summary>The bytes <paramref name="alertEvent"/> takes as a queue message (contract JSON, UTF-8, base64).</summary>
    public static int EncodedSize(AlertEvent alertEvent)
    {
        ArgumentNullException.ThrowIfNull(alertEvent);
        var utf8 = System.Text.Encoding.UTF8.GetByteCount(AlertEventSerializer.Serialize(alertEvent));
        return (utf8 + 2) / 3 * 4;
    }

    /// <summary>
    /// Validates <paramref name="alertEvent"/> (throws <see cref="ArgumentException"/> listing the errors) and enqueues it on
    /// <c>alert-events</c>, with the current trace context as <c>traceparent</c> (the alert's trace continues from the caller's).
    /// </summary>
    public Task<SendReceipt> PublishAsync(AlertEvent alertEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alertEvent);
        var errors = AlertEventParser.Validate(alertEvent);
        if (errors.Count > 0)
        {
            throw new ArgumentException($"The alert event is invalid: {string.Join("; ", errors)}", nameof(alertEvent));
        }

        return PublishJsonAsync(AlertEventSerializer.Serialize(alertEvent, traceParent: PipelineTelemetry.CurrentTraceParent()), cancellationToken);
    }

    /// <summary>Enqueues any text on <c>alert-events</c> as is (tests use it to send invalid events on purpose).</summary>
    public async Task<SendReceipt> PublishJsonAsync(string json, CancellationToken cancellationToken = default)
    {
        var queue = queues.GetQueueClient(QueueNames.AlertEvents);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return (await queue.SendMessageAsync(json, cancellationToken).ConfigureAwait(false)).Value;
    }
}

using System.Runtime.CompilerServices;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Infrastructure.Channels.Outbox;

/// <summary>
/// The SMS gateway when no Twilio credentials are set: appends one JSON line per message to <c>sms.jsonl</c>. The
/// file stands in for the provider, so it holds the full number; logs get only the masked form.
/// </summary>
public sealed partial class OutboxSmsSender(IOptions<OutboxOptions> options, TimeProvider timeProvider, ILogger<OutboxSmsSender> logger) : ISmsGateway
{
    public async Task<SmsSendResult> SendAsync(SmsSendRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.BeforeSend is { } beforeSend)
        {
            await beforeSend(cancellationToken).ConfigureAwait(false);
        }

        var id = $"OUTBOX-{Guid.NewGuid():N}";
        var segments = SmsSegments.Estimate(request.Body);
        var record = new OutboxSmsRecord(
            id,
            timeProvider.GetUtcNow(),
            request.DeliveryReference,
            request.To,
            Redact.Phone(request.To),
            request.Body,
            segments,
            request.ValidityPeriod is { } v ? (int)v.TotalSeconds : null);
        await OutboxFile.AppendAsync(options.Value.SmsPath, record, cancellationToken).ConfigureAwait(false);
        LogWritten(logger, request.DeliveryReference, id, Redact.Phone(request.To), segments);
        return new SmsSendResult(id, "outbox", segments);
    }

    public async IAsyncEnumerable<SmsSentRecord> FindSentAsync(string to, DateTimeOffset since, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var record in OutboxFile.ReadAsync<OutboxSmsRecord>(options.Value.SmsPath, cancellationToken).ConfigureAwait(false))
        {
            if (record.To == to && record.At >= since)
            {
                yield return new SmsSentRecord(record.Id, "outbox", record.Body, record.At);
            }
        }
    }

    /// <summary>Every record in the outbox (for tests and the demo).</summary>
    public IAsyncEnumerable<OutboxSmsRecord> ReadAllAsync(CancellationToken cancellationToken = default) =>
        OutboxFile.ReadAsync<OutboxSmsRecord>(options.Value.SmsPath, cancellationToken);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "SMS {DeliveryReference} written to the outbox as {ProviderId} for {MaskedTo} ({Segments} segments)")]
    private static partial void LogWritten(ILogger logger, string deliveryReference, string providerId, string maskedTo, int segments);
}

/// <summary>One line of <c>sms.jsonl</c>.</summary>
public sealed record OutboxSmsRecord(
    string Id,
    DateTimeOffset At,
    string DeliveryReference,
    string To,
    string MaskedTo,
    string Body,
    int Segments,
    int? ValidityPeriodSeconds)
{
    public override string ToString() => $"OutboxSmsRecord {{ Id = {Id}, DeliveryReference = {DeliveryReference}, To = {MaskedTo} }}";
}

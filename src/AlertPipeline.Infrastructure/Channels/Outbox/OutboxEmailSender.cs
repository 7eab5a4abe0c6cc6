using AlertPipeline.Core.Common;
using AlertPipeline.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Infrastructure.Channels.Outbox;

/// <summary>
/// The email gateway when no SMTP host is set: appends one JSON line per message to <c>email.jsonl</c>. The file
/// stands in for the provider, so it holds the full address; logs get only the masked form.
/// </summary>
public sealed partial class OutboxEmailSender(IOptions<OutboxOptions> options, TimeProvider timeProvider, ILogger<OutboxEmailSender> logger) : IEmailGateway
{
    public async Task<EmailSendResult> SendAsync(EmailSendRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = $"OUTBOX-{Guid.NewGuid():N}";
        var record = new OutboxEmailRecord(
            id,
            timeProvider.GetUtcNow(),
            request.DeliveryReference,
            request.To,
            Redact.Email(request.To),
            request.ToName,
            request.Subject,
            request.TextBody,
            request.HtmlBody,
            request.ListUnsubscribeHeader,
            request.UnsubscribeUrl is not null);
        if (request.BeforeHandover is { } beforeHandover)
        {
            await beforeHandover(cancellationToken).ConfigureAwait(false);
        }

        await OutboxFile.AppendAsync(options.Value.EmailPath, record, cancellationToken).ConfigureAwait(false);
        LogWritten(logger, request.DeliveryReference, id, Redact.Email(request.To));
        return new EmailSendResult(id);
    }

    /// <summary>Every record in the outbox (for tests and the demo).</summary>
    public IAsyncEnumerable<OutboxEmailRecord> ReadAllAsync(CancellationToken cancellationToken = default) =>
        OutboxFile.ReadAsync<OutboxEmailRecord>(options.Value.EmailPath, cancellationToken);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Email {DeliveryReference} written to the outbox as {ProviderId} for {MaskedTo}")]
    private static partial void LogWritten(ILogger logger, string deliveryReference, string providerId, string maskedTo);
}

/// <summary>One line of <c>email.jsonl</c>.</summary>
public sealed record OutboxEmailRecord(
    string Id,
    DateTimeOffset At,
    string DeliveryReference,
    string To,
    string MaskedTo,
    string? ToName,
    string Subject,
    string TextBody,
    string? HtmlBody,
    string? ListUnsubscribe,
    bool OneClickUnsubscribe)
{
    public override string ToString() => $"OutboxEmailRecord {{ Id = {Id}, DeliveryReference = {DeliveryReference}, To = {MaskedTo} }}";
}

using System.Runtime.CompilerServices;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>
/// <see cref="ISmsGateway"/> over <see cref="TwilioClient"/>: paces to <see cref="TwilioOptions.SegmentsPerSecond"/>,
/// sends from the configured number or messaging service with a status callback carrying the delivery reference,
/// and maps <see cref="TwilioApiException"/> to <see cref="SmsSendException"/>.
/// </summary>
public sealed partial class TwilioSmsGateway(
    TwilioClient client,
    IOptions<TwilioOptions> options,
    SendPacer pacer,
    ILogger<TwilioSmsGateway> logger) : ISmsGateway
{
    public async Task<SmsSendResult> SendAsync(SmsSendRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        var masked = Redact.Phone(request.To);
        var validity = request.ValidityPeriod is { } v ? TwilioSendRequest.ClampValidity(v) : null;
        var twilioRequest = new TwilioSendRequest(
            request.To,
            request.Body,
            settings.From,
            settings.MessagingServiceSid,
            settings.StatusCallbackFor(request.DeliveryReference),
            validity);

        await pacer.WaitAsync(SmsSegments.Estimate(request.Body), cancellationToken).ConfigureAwait(false);
        try
        {
            var message = await client.SendMessageAsync(twilioRequest, cancellationToken).ConfigureAwait(false);
            LogAccepted(logger, request.DeliveryReference, message.Sid, masked, message.Status, message.NumSegments);
            return new SmsSendResult(message.Sid, message.Status, message.NumSegments);
        }
        catch (TwilioApiException ex)
        {
            var kind = Map(ex.Kind);
            LogFailed(logger, ex.Status, ex.TwilioCode, request.DeliveryReference, masked, kind);
            throw new SmsSendException(kind, ex.ErrorCode ?? (ex.Status == 0 ? null : ex.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)), ex.Message, ex);
        }
    }

    public async IAsyncEnumerable<SmsSentRecord> FindSentAsync(string to, DateTimeOffset since, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var messages = client.ListMessagesAsync(to, since, cancellationToken);
        await using var enumerator = messages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            TwilioMessage message;
            try
            {
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }

                message = enumerator.Current;
            }
            catch (TwilioApiException ex)
            {
                throw new SmsSendException(Map(ex.Kind), ex.ErrorCode, ex.Message, ex);
            }

            // Twilio filters by whole days; unsent (queued) messages may have no send date yet, so use creation time.
            if (message.DateCreated is null || message.DateCreated >= since)
            {
                yield return new SmsSentRecord(message.Sid, message.Status, message.Body, message.DateCreated);
            }
        }
    }

    internal static ChannelFailureKind Map(TwilioErrorKind kind) => kind switch
    {
        TwilioErrorKind.Transient => ChannelFailureKind.Transient,
        TwilioErrorKind.OutcomeUnknown => ChannelFailureKind.OutcomeUnknown,
        TwilioErrorKind.InvalidRecipient => ChannelFailureKind.InvalidRecipient,
        TwilioErrorKind.OptedOut => ChannelFailureKind.OptedOut,
        TwilioErrorKind.Authentication => ChannelFailureKind.Configuration,
        _ => ChannelFailureKind.Permanent,
    };

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "SMS {DeliveryReference} accepted by Twilio as {MessageSid} for {MaskedTo}: {Status}, {Segments} segments")]
    private static partial void LogAccepted(ILogger logger, string deliveryReference, string messageSid, string maskedTo, string status, int segments);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "SMS {DeliveryReference} to {MaskedTo} failed at Twilio (HTTP {HttpStatus}, code {TwilioCode}): {FailureKind}")]
    private static partial void LogFailed(ILogger logger, int httpStatus, int? twilioCode, string deliveryReference, string maskedTo, ChannelFailureKind failureKind);
}

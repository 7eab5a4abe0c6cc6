using System.Globalization;
using System.Net.Http;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using TwilioPhoneNumber = Twilio.Types.PhoneNumber;

namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>
/// <see cref="ISmsGateway"/> on the Twilio SDK: <see cref="MessageResource.CreateAsync(CreateMessageOptions, ITwilioRestClient)"/>
/// from the configured number or messaging service, with a status callback carrying the delivery reference and a
/// validity period; <see cref="MessageResource.ReadAsync(ReadMessageOptions, ITwilioRestClient)"/> to reconcile a send
/// whose outcome is unknown. Paces to <see cref="TwilioOptions.SegmentsPerSecond"/>, retries what Twilio did not
/// process (429/20429, a refused connection; reads also after a 5xx or a timeout) with exponential backoff, and maps
/// the SDK's exceptions to <see cref="SmsSendException"/>. Never repeats a send that Twilio may have accepted (a 5xx
/// or a timeout): that is <see cref="ChannelFailureKind.OutcomeUnknown"/>, for the caller to reconcile.
/// </summary>
public sealed partial class TwilioSmsGateway(
    ITwilioRestClient client,
    IOptions<TwilioOptions> options,
    SendPacer pacer,
    TimeProvider time,
    ILogger<TwilioSmsGateway> logger) : ISmsGateway
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    public async Task<SmsSendResult> SendAsync(SmsSendRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        var masked = Redact.Phone(request.To);
        var create = new CreateMessageOptions(new TwilioPhoneNumber(request.To))
        {
            Body = request.Body,
            StatusCallback = settings.StatusCallbackFor(request.DeliveryReference),
            ValidityPeriod = request.ValidityPeriod is { } validity ? ClampValidity(validity) : null,
        };
        if (!string.IsNullOrWhiteSpace(settings.MessagingServiceSid))
        {
            create.MessagingServiceSid = settings.MessagingServiceSid;
        }
        else
        {
            create.From = new TwilioPhoneNumber(settings.From);
        }

        await pacer.WaitAsync(SmsSegments.Estimate(request.Body), cancellationToken).ConfigureAwait(false);
        try
        {
            var message = await WithRetriesAsync(
                async () =>
                {
                    if (request.BeforeSend is { } beforeSend)
                    {
                        await beforeSend(cancellationToken).ConfigureAwait(false);
                    }

                    return await MessageResource.CreateAsync(create, client).ConfigureAwait(false);
                },
                isSend: true,
                cancellationToken).ConfigureAwait(false);
            var status = message.Status?.ToString() ?? "unknown";
            var segments = int.TryParse(message.NumSegments, NumberStyles.None, CultureInfo.InvariantCulture, out var counted) ? counted : 0;
            LogAccepted(logger, request.DeliveryReference, message.Sid, masked, status, segments);
            return new SmsSendResult(message.Sid, status, segments);
        }
        catch (TwilioFailure failure)
        {
            LogFailed(logger, failure.HttpStatus, failure.TwilioCode, request.DeliveryReference, masked, Map(failure.Kind));
            throw failure.ToSendException();
        }
    }

    public async IAsyncEnumerable<SmsSentRecord> FindSentAsync(string to, DateTimeOffset since, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var read = new ReadMessageOptions
        {
            To = new TwilioPhoneNumber(to),
            // Twilio may not have a send date yet for a queued message: read from the start of the day, then compare
            // creation times below.
            DateSentAfter = since.UtcDateTime.Date,
            PageSize = options.Value.PageSize,
        };
        IEnumerable<MessageResource> messages;
        try
        {
            messages = await WithRetriesAsync(() => MessageResource.ReadAsync(read, client), isSend: false, cancellationToken).ConfigureAwait(false);
        }
        catch (TwilioFailure failure)
        {
            throw failure.ToSendException();
        }

        // The SDK fetches later pages (next_page_uri) synchronously while enumerating; reconciling is rare and its
        // filter narrow, so it rarely goes past the first page.
        using var enumerator = messages.GetEnumerator();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            MessageResource message;
            try
            {
                if (!enumerator.MoveNext())
                {
                    yield break;
                }

                message = enumerator.Current;
            }
            catch (TwilioException ex)
            {
                throw Classify(ex, isSend: false, attempts: 1).ToSendException();
            }

            DateTimeOffset? created = message.DateCreated is { } date ? new DateTimeOffset(date.ToUniversalTime(), TimeSpan.Zero) : null;
            if (created is null || created >= since)
            {
                yield return new SmsSentRecord(message.Sid, message.Status?.ToString() ?? "unknown", message.Body, created);
            }
        }
    }

    /// <summary>
    /// The ValidityPeriod for a message that must arrive within <paramref name="remaining"/>: whole seconds clamped to
    /// Twilio's 1..36000, or null when nothing remains.
    /// </summary>
    public static int? ClampValidity(TimeSpan remaining) =>
        remaining < TimeSpan.FromSeconds(1) ? null : (int)Math.Min(36000, Math.Floor(remaining.TotalSeconds));

    /// <summary>What an SDK exception means: the HTTP status and Twilio code, and the failure kind (docs/channels.md).</summary>
    internal static TwilioFailure Classify(TwilioException exception, bool isSend, int attempts)
    {
        switch (exception)
        {
            case ApiException api:
                int? code = api.Code == 0 ? null : api.Code;
                var kind = TwilioErrorClassification.ForApiError(api.Status, code, isSend);
                var text = api.Status == 0 && code is null
                    ? "Twilio's answer could not be read" + (isSend ? "; the message may have been accepted, reconcile before resending" : string.Empty)
                    : $"Twilio answered {api.Status.ToString(CultureInfo.InvariantCulture)}{(code is null ? string.Empty : $" (code {code})")}: {Redact.PersonalDataIn(api.Message)}";
                return new TwilioFailure(kind, api.Status, code, $"{text} [{kind}]");
            default:
                // ApiConnectionException: no answer. Its message holds the URL (a read's URL holds the number): not used.
                var neverSent = NeverReachedServer(exception);
                var timedOut = Chain(exception).Any(e => e is TaskCanceledException or TimeoutException);
                var failure = isSend && !neverSent ? TwilioErrorKind.OutcomeUnknown : TwilioErrorKind.Transient;
                var what = timedOut ? "did not answer within the network timeout" : "could not be reached";
                var outcome = failure == TwilioErrorKind.OutcomeUnknown ? " The message may have been accepted; reconcile before resending." : string.Empty;
                return new TwilioFailure(failure, 0, null, $"Twilio {what} after {attempts} attempt(s).{outcome}", exception.InnerException);
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

    private async Task<T> WithRetriesAsync<T>(Func<Task<T>> call, bool isSend, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                // The SDK takes no token: a cancelled caller stops waiting; the request ends at the network timeout.
                return await call().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (TwilioException ex)
            {
                var failure = Classify(ex, isSend, attempt);
                if (failure.Kind != TwilioErrorKind.Transient || attempt > settings.MaxRetries)
                {
                    throw failure;
                }

                var delay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, settings.RetryDelay.Ticks * (1L << Math.Min(attempt - 1, 20))));
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>True when the exception proves the request never reached Twilio (refused, unresolvable).</summary>
    private static bool NeverReachedServer(Exception exception) => Chain(exception).Any(e => e switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => true,
        SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable } => true,
        _ => false,
    });

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "SMS {DeliveryReference} accepted by Twilio as {MessageSid} for {MaskedTo}: {Status}, {Segments} segments")]
    private static partial void LogAccepted(ILogger logger, string deliveryReference, string messageSid, string maskedTo, string status, int segments);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "SMS {DeliveryReference} to {MaskedTo} failed at Twilio (HTTP {HttpStatus}, code {TwilioCode}): {FailureKind}")]
    private static partial void LogFailed(ILogger logger, int httpStatus, int? twilioCode, string deliveryReference, string maskedTo, ChannelFailureKind failureKind);

    /// <summary>
    /// A classified Twilio failure. Its message never holds a full number; it does not carry the SDK's exception
    /// (whose message may quote the number or a URL holding it), only that exception's transport cause.
    /// </summary>
    internal sealed class TwilioFailure(TwilioErrorKind kind, int httpStatus, int? twilioCode, string message, Exception? cause = null)
        : Exception(message, cause)
    {
        public TwilioErrorKind Kind { get; } = kind;

        public int HttpStatus { get; } = httpStatus;

        public int? TwilioCode { get; } = twilioCode;

        public SmsSendException ToSendException() =>
            new(Map(Kind), TwilioCode?.ToString(CultureInfo.InvariantCulture) ?? (HttpStatus == 0 ? null : HttpStatus.ToString(CultureInfo.InvariantCulture)), Message, InnerException);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Ports;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AlertPipeline.Infrastructure.Email;

/// <summary>
/// <see cref="IEmailGateway"/> over MailKit's <see cref="SmtpClient"/>: STARTTLS when <see cref="SmtpOptions.UseStartTls"/>
/// (implicit TLS on port 465), authentication when a user name is set. Sends multipart/alternative (text, then HTML),
/// <c>List-Unsubscribe</c> (+ <c>List-Unsubscribe-Post</c> for an https URL), <c>X-AlertPipeline-Delivery</c>, and a
/// Message-ID derived from the delivery reference, so a resend of the same delivery carries the same Message-ID. That
/// Message-ID is the provider id returned.
/// <para>
/// The handover hook (<see cref="EmailSendRequest.BeforeHandover"/>) is awaited from inside MailKit's write of the
/// message into the <c>DATA</c> stream, once the last text part's content is written and before MailKit writes the
/// end of data (the final <c>&lt;CRLF&gt;.&lt;CRLF&gt;</c>, RFC 5321 §4.1.1.4: the server takes a message only with it).
/// Everything before that point is provably not handed over; a throw from the hook makes MailKit close the connection
/// without the end of data (its <c>SendAsync</c> disconnects on any exception other than an SMTP reply), so the server
/// discards the message. Only the end of data and the server's reply remain after the hook.
/// </para>
/// <para>
/// Once the hook has begun, the send no longer listens to the caller's token (<see cref="SendCancellation"/>): the mark
/// may be stored, and a row marked whose end of data never went out is lost (it is never re-sent). The hook, the end of
/// data and the reply then get their own time (<see cref="SmtpOptions.Timeout"/> again) instead. The caller's
/// cancellation (a worker shutting down, the host cancelling the invocation) or the send's time running out before the
/// hook stops the send as before: nothing was handed over.
/// </para>
/// </summary>
public sealed partial class SmtpEmailSender(IOptions<SmtpOptions> options, ILogger<SmtpEmailSender> logger) : IEmailGateway
{
    public const string DeliveryHeader = "X-AlertPipeline-Delivery";

    public async Task<EmailSendResult> SendAsync(EmailSendRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        var from = new MailboxAddress(settings.FromName, settings.From!);
        var messageId = MessageIdFor(request.DeliveryReference, from.Domain);
        var masked = Redact.Email(request.To);

        using var message = Build(request, from, messageId, out var lastPart);
        using var cancellation = new SendCancellation(settings.Timeout, settings.Timeout, cancellationToken);
        // The handover's timing, per email and without the address (docs/reliability.md): the hook's answer (a gate slot
        // and the stored mark), then the end of data's reply; a kill between the two loses the email.
        long markAnswered = 0;
        Func<CancellationToken, Task>? beforeHandover = request.BeforeHandover is not { } mark ? null : async ct =>
        {
            var began = Stopwatch.GetTimestamp();
            await mark(ct).ConfigureAwait(false);
            Interlocked.Exchange(ref markAnswered, Stopwatch.GetTimestamp());
            LogMarkAnswered(logger, request.DeliveryReference, Stopwatch.GetElapsedTime(began).TotalMilliseconds);
        };
        var progress = new HandoverProgress(MeasureForSmtp(message), beforeHandover, cancellation.TryCommit, cancellation.Token);
        lastPart.Progress = progress;
        using var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, settings.Timeout.TotalMilliseconds) };
        try
        {
            var security = settings.Port == 465 ? SecureSocketOptions.SslOnConnect
                : settings.UseStartTls ? SecureSocketOptions.StartTls
                : SecureSocketOptions.None;
            await client.ConnectAsync(settings.Host!, settings.Port, security, cancellation.Token).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(settings.UserName))
            {
                await client.AuthenticateAsync(settings.UserName, settings.Password ?? string.Empty, cancellation.Token).ConfigureAwait(false);
            }

            // MAIL FROM, RCPT TO, DATA, the message (the handover hook runs at the end of its body), the end of data, the 250.
            await client.SendAsync(message, cancellation.Token, progress).ConfigureAwait(false);
            progress.Accepted = true;
            if (Interlocked.Read(ref markAnswered) is var answered and not 0)
            {
                LogEndOfDataAnswered(logger, request.DeliveryReference, Stopwatch.GetElapsedTime(answered).TotalMilliseconds);
            }

            await client.DisconnectAsync(quit: true, cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (progress.Accepted)
        {
            // The server answered 250 to the data: the message is taken; only the QUIT ran out of time.
        }
        catch (OperationCanceledException) when (!cancellation.Committed && cancellationToken.IsCancellationRequested)
        {
            // The caller stopped the send before the handover began: nothing was handed over, and nothing was marked.
            throw;
        }
        catch (OperationCanceledException)
        {
            var kind = progress.MayHaveHandedOver ? ChannelFailureKind.OutcomeUnknown : ChannelFailureKind.Transient;
            LogFailed(logger, request.DeliveryReference, masked, kind, null);
            var what = cancellation.Committed ? "finish the handover (end of data and reply)" : "finish";
            throw new EmailSendException(kind, null, $"The SMTP server did not {what} within {settings.Timeout.TotalSeconds:0.#} s{(progress.MayHaveHandedOver ? " after the whole message was written" : string.Empty)}.");
        }
        catch (Exception ex) when (ex is MailKit.CommandException or MailKit.ProtocolException or MailKit.Security.AuthenticationException
                                       or SslHandshakeException or ServiceNotConnectedException or ServiceNotAuthenticatedException
                                       or SocketException or IOException or TimeoutException)
        {
            if (!progress.Accepted)
            {
                var failure = Classify(ex, progress.MayHaveHandedOver);
                LogFailed(logger, request.DeliveryReference, masked, failure.Kind, failure.Code);
                throw new EmailSendException(failure.Kind, failure.Code, failure.Message, ex);
            }

            // The server answered 250 to the data: the message is taken; only the QUIT failed.
        }

        LogSent(logger, request.DeliveryReference, messageId, masked);
        return new EmailSendResult(messageId);
    }

    /// <summary><c>&lt;ap.{32 hex of SHA-256(reference)}@{domain}&gt;</c>: stable per delivery, no personal data.</summary>
    public static string MessageIdFor(string deliveryReference, string domain)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(deliveryReference)))[..32];
        return $"<ap.{hash}@{domain}>";
    }

    /// <summary>
    /// Transient: connection failures, timeouts and 4xx replies. InvalidRecipient: 550/551/553. Configuration: TLS,
    /// authentication (530/534/535/538). Other 5xx: Permanent. But a broken connection or a timeout after the whole
    /// message was written (<paramref name="wholeMessageWritten"/>) and before the server's reply is OutcomeUnknown:
    /// the server may have taken it (RFC 5321 §4.1.1.4: the reply to the end of data is the acceptance).
    /// </summary>
    internal static (ChannelFailureKind Kind, string? Code, string Message) Classify(Exception exception, bool wholeMessageWritten = false)
    {
        var detail = Redact.PersonalDataIn(exception.Message);
        if (wholeMessageWritten && exception is not SmtpCommandException)
        {
            return (ChannelFailureKind.OutcomeUnknown, null, $"The SMTP connection broke after the whole message was written, before the server's reply: {detail}");
        }

        switch (exception)
        {
            case SslHandshakeException:
                return (ChannelFailureKind.Configuration, null, $"The TLS handshake failed: {detail}");
            case MailKit.Security.AuthenticationException:
                return (ChannelFailureKind.Configuration, "535", $"SMTP authentication failed: {detail}");
            case ServiceNotAuthenticatedException:
                // 530 to MAIL FROM: the server wants STARTTLS or a login first.
                return (ChannelFailureKind.Configuration, "530", $"SMTP 530: {detail}");
            case SmtpCommandException command:
                var status = (int)command.StatusCode;
                var code = status.ToString(CultureInfo.InvariantCulture);
                var kind = status switch
                {
                    >= 400 and < 500 => ChannelFailureKind.Transient,
                    530 or 534 or 535 or 538 => ChannelFailureKind.Configuration, // STARTTLS required, authentication
                    550 or 551 or 553 => ChannelFailureKind.InvalidRecipient,
                    _ => ChannelFailureKind.Permanent,
                };
                return (kind, code, $"SMTP {code}: {detail}");
            case SmtpProtocolException or ServiceNotConnectedException:
                return (ChannelFailureKind.Transient, null, $"The SMTP dialogue broke off: {detail}");
            default:
                return (ChannelFailureKind.Transient, null, $"The SMTP connection failed: {detail}");
        }
    }

    /// <summary>The bytes of <paramref name="message"/> as SMTP writes it (CRLF line ends), before dot-stuffing adds any.</summary>
    internal static long MeasureForSmtp(MimeMessage message)
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.EnsureNewLine = true;
        format.HiddenHeaders.Add(HeaderId.ContentLength);
        format.HiddenHeaders.Add(HeaderId.ResentBcc);
        format.HiddenHeaders.Add(HeaderId.Bcc);
        using var counter = new MimeKit.IO.MeasuringStream();
        message.WriteTo(format, counter);
        return counter.Length;
    }

    /// <summary>
    /// The message: text/plain, or multipart/alternative of text/plain then text/html (as MimeKit's <c>BodyBuilder</c>
    /// would build them), quoted-printable UTF-8; its last text part (<paramref name="lastPart"/>) carries the handover hook.
    /// </summary>
    internal static MimeMessage Build(EmailSendRequest request, MailboxAddress from, string messageId, out HandoverTextPart lastPart)
    {
        var message = new MimeMessage { Subject = request.Subject, MessageId = messageId.Trim('<', '>') };
        message.From.Add(from);
        message.To.Add(new MailboxAddress(request.ToName, request.To));
        if (request.HtmlBody is null)
        {
            message.Body = lastPart = Encoded(new HandoverTextPart("plain"), request.TextBody);
        }
        else
        {
            lastPart = Encoded(new HandoverTextPart("html"), request.HtmlBody);
            message.Body = new MultipartAlternative { Encoded(new TextPart("plain"), request.TextBody), lastPart };
        }

        message.Headers.Add(DeliveryHeader, request.DeliveryReference);
        if (request.ListUnsubscribeHeader is { } unsubscribe)
        {
            message.Headers.Add(HeaderId.ListUnsubscribe, unsubscribe);
            if (request.UnsubscribeUrl is not null)
            {
                message.Headers.Add(HeaderId.ListUnsubscribePost, "List-Unsubscribe=One-Click");
            }
        }

        return message;
    }

    private static T Encoded<T>(T part, string text)
        where T : TextPart
    {
        part.SetText(Encoding.UTF8, text);

        // Quoted-printable UTF-8: readable ASCII stays readable, Cyrillic and Kazakh survive any relay; never binary, so
        // MailKit sends with DATA (BDAT is used only for BINARYMIME or PreferSendAsBinaryData, which we leave off).
        part.ContentTransferEncoding = ContentEncoding.QuotedPrintable;
        return part;
    }

    /// <summary>
    /// The message's last text part: after MimeKit has written its content, it awaits the handover
    /// (<see cref="HandoverProgress.AtEndOfBodyAsync"/>), which runs the hook only when the write goes to the server.
    /// In multipart/alternative only the closing boundary follows it; then MailKit writes the end of data.
    /// </summary>
    internal sealed class HandoverTextPart(string subtype) : TextPart(subtype)
    {
        public HandoverProgress? Progress { get; set; }

        public override void WriteTo(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
        {
            base.WriteTo(options, stream, contentOnly, cancellationToken);

            // Only MailKit's synchronous Send writes to the server this way (the app uses SendAsync); it waits for the mark.
            Progress?.AtEndOfBodyAsync(cancellationToken).GetAwaiter().GetResult();
        }

        public override async Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
        {
            await base.WriteToAsync(options, stream, contentOnly, cancellationToken).ConfigureAwait(false);
            if (Progress is { } progress)
            {
                await progress.AtEndOfBodyAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The send's protocol stage, from MailKit's <see cref="ITransferProgress"/> (reported while the message data is
    /// written to the connection, after <c>DATA</c> was accepted): whether the whole message went out, and whether the
    /// server accepted it; and the handover hook, run once at the end of the body.
    /// </summary>
    internal sealed class HandoverProgress(
        long messageSize, Func<CancellationToken, Task>? beforeHandover = null, Func<bool>? commit = null, CancellationToken cancellationToken = default)
        : ITransferProgress
    {
        private readonly Lock _gate = new();
        private long _written;
        private Task? _handover;

        public bool Accepted { get; set; }

        /// <summary>
        /// The send stopped itself after the mark and before MailKit's end of data (its time ran out while the mark was
        /// written): nothing was handed over, even if every byte of the body was written.
        /// </summary>
        public bool StoppedBeforeEndOfData { get; private set; }

        /// <summary>Whether the server may have the message: the whole message was written and the send did not stop itself before the end of data.</summary>
        public bool MayHaveHandedOver => WholeMessageWritten && !StoppedBeforeEndOfData;

        /// <summary>
        /// Called by the last text part once its content is written. While no byte was reported the write is a measuring
        /// pass (<see cref="MeasureForSmtp"/>, or MailKit's <c>GetSize</c> for <c>SIZE=</c>, BDAT or progress), not the
        /// transfer: nothing to do. Otherwise the send commits to the handover (<c>commit</c>: from now on only the
        /// handover's own time stops it; false when the send was already stopped, then nothing is marked) and the hook
        /// runs, once (a second write awaits the same outcome, its throw too). A hook that throws, or a send whose time
        /// (<paramref name="transfer"/>, MailKit's token) ran out meanwhile, stops here, before the end of data.
        /// </summary>
        public async Task AtEndOfBodyAsync(CancellationToken transfer)
        {
            if (beforeHandover is null || Interlocked.Read(ref _written) == 0)
            {
                return;
            }

            Task handover;
            lock (_gate)
            {
                if (_handover is null && commit is not null && !commit())
                {
                    StoppedBeforeEndOfData = true;
                    throw new OperationCanceledException("The send was stopped before the handover began.", transfer);
                }

                handover = _handover ??= beforeHandover(cancellationToken);
            }

            try
            {
                await handover.ConfigureAwait(false);
            }
            catch
            {
                StoppedBeforeEndOfData = true; // MailKit disconnects on any throw from the write: no end of data
                throw;
            }

            if (transfer.IsCancellationRequested)
            {
                StoppedBeforeEndOfData = true;
                transfer.ThrowIfCancellationRequested();
            }
        }

        /// <summary>Every byte of the message was written to the connection (the server's reply to it is what remains).</summary>
        public bool WholeMessageWritten => Interlocked.Read(ref _written) >= messageSize;

        public void Report(long bytesTransferred, long totalSize)
        {
            Report(bytesTransferred);
            if (totalSize > 0 && bytesTransferred >= totalSize)
            {
                Interlocked.Exchange(ref _written, Math.Max(messageSize, bytesTransferred));
            }
        }

        public void Report(long bytesTransferred)
        {
            long seen;
            do
            {
                seen = Interlocked.Read(ref _written);
            }
            while (bytesTransferred > seen && Interlocked.CompareExchange(ref _written, bytesTransferred, seen) != seen);
        }
    }

    /// <summary>
    /// The token MailKit gets for one send. Until the handover begins (<see cref="TryCommit"/>) it is cancelled by the
    /// caller's token or when the send's time runs out; from then on only by the handover's own time, so that a mark
    /// once stored is followed by the end of data (and the reply is read) whatever happens to the invocation.
    /// </summary>
    internal sealed class SendCancellation : IDisposable
    {
        private readonly CancellationTokenSource _send = new();
        private readonly CancellationTokenSource _beforeHandover;
        private readonly CancellationTokenRegistration _stop;
        private readonly TimeSpan _handoverTime;
        private readonly Lock _gate = new();
        private bool _committed;
        private bool _stopped;

        public SendCancellation(TimeSpan sendTime, TimeSpan handoverTime, CancellationToken caller)
        {
            _handoverTime = handoverTime;
            _beforeHandover = CancellationTokenSource.CreateLinkedTokenSource(caller);
            _beforeHandover.CancelAfter(sendTime);
            _stop = _beforeHandover.Token.Register(Stop);
        }

        /// <summary>The token to give MailKit (and the hook).</summary>
        public CancellationToken Token => _send.Token;

        /// <summary>Whether the handover began: the caller's token no longer stops the send.</summary>
        public bool Committed
        {
            get
            {
                lock (_gate)
                {
                    return _committed;
                }
            }
        }

        /// <summary>Begins the handover, unless the send was stopped already (false: nothing may be marked or handed over).</summary>
        public bool TryCommit()
        {
            lock (_gate)
            {
                if (_stopped)
                {
                    return false;
                }

                _committed = true;
            }

            _send.CancelAfter(_handoverTime);
            return true;
        }

        public void Dispose()
        {
            _stop.Dispose();
            _beforeHandover.Dispose();
            _send.Dispose();
        }

        private void Stop()
        {
            lock (_gate)
            {
                if (_committed)
                {
                    return;
                }

                _stopped = true;
            }

            _send.Cancel();
        }
    }

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Email {DeliveryReference} sent as {MessageId} to {MaskedTo}")]
    private static partial void LogSent(ILogger logger, string deliveryReference, string messageId, string maskedTo);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Information, Message = "Email {DeliveryReference}: handover ready in {ElapsedMs:0} ms (the mark stored, or sent); writing the end of data")]
    private static partial void LogMarkAnswered(ILogger logger, string deliveryReference, double elapsedMs);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Information, Message = "Email {DeliveryReference}: end of data answered {ElapsedMs:0} ms after the mark")]
    private static partial void LogEndOfDataAnswered(ILogger logger, string deliveryReference, double elapsedMs);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Email {DeliveryReference} to {MaskedTo} failed: {FailureKind} (SMTP {SmtpCode})")]
    private static partial void LogFailed(ILogger logger, string deliveryReference, string maskedTo, ChannelFailureKind failureKind, string? smtpCode);
}

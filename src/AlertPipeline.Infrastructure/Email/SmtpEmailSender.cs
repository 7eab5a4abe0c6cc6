using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Infrastructure.Email;

/// <summary>
/// <see cref="IEmailGateway"/> over <see cref="SmtpClient"/> (STARTTLS when <see cref="SmtpOptions.UseStartTls"/>).
/// Sends multipart/alternative (text, then HTML), <c>List-Unsubscribe</c> (+ <c>List-Unsubscribe-Post</c> for an
/// https URL), <c>X-AlertPipeline-Delivery</c>, and a Message-ID derived from the delivery reference, so a resend of
/// the same delivery carries the same Message-ID. That Message-ID is the provider id returned.
/// </summary>
public sealed partial class SmtpEmailSender(IOptions<SmtpOptions> options, ILogger<SmtpEmailSender> logger) : IEmailGateway
{
    public const string DeliveryHeader = "X-AlertPipeline-Delivery";

    public async Task<EmailSendResult> SendAsync(EmailSendRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        var from = new MailAddress(settings.From!, settings.FromName, Encoding.UTF8);
        var messageId = MessageIdFor(request.DeliveryReference, from.Host);
        var masked = Redact.Email(request.To);

        using var message = Build(request, from, messageId);
        using var client = new SmtpClient(settings.Host!, settings.Port)
        {
            EnableSsl = settings.UseStartTls,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Timeout = (int)Math.Min(int.MaxValue, settings.Timeout.TotalMilliseconds),
        };
        if (!string.IsNullOrWhiteSpace(settings.UserName))
        {
            client.Credentials = new NetworkCredential(settings.UserName, settings.Password);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        try
        {
            await client.SendMailAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, request.DeliveryReference, masked, ChannelFailureKind.Transient, null);
            throw new EmailSendException(ChannelFailureKind.Transient, null, $"The SMTP server did not finish within {settings.Timeout.TotalSeconds:0.#} s.");
        }
        catch (Exception ex) when (ex is SmtpException or AuthenticationException or IOException)
        {
            var failure = Classify(ex);
            LogFailed(logger, request.DeliveryReference, masked, failure.Kind, failure.Code);
            throw new EmailSendException(failure.Kind, failure.Code, failure.Message, ex);
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

    /// <summary>Transient: connection failures and 4xx replies. Permanent: 5xx (550/551/553: the mailbox). Configuration: TLS/auth.</summary>
    internal static (ChannelFailureKind Kind, string? Code, string Message) Classify(Exception exception)
    {
        var detail = Redact.PersonalDataIn(exception.Message);
        if (exception is AuthenticationException || exception.InnerException is AuthenticationException)
        {
            return (ChannelFailureKind.Configuration, null, $"The STARTTLS handshake failed: {detail}");
        }

        if (exception is not SmtpException smtp)
        {
            return (ChannelFailureKind.Transient, null, $"The SMTP connection failed: {detail}");
        }

        var status = (int)smtp.StatusCode;
        var code = status > 0 ? status.ToString(CultureInfo.InvariantCulture) : null;
        var kind = status switch
        {
            <= 0 => ChannelFailureKind.Transient, // GeneralFailure: could not connect, connection dropped
            >= 400 and < 500 => ChannelFailureKind.Transient,
            530 or 534 or 535 or 538 => ChannelFailureKind.Configuration, // STARTTLS required, authentication
            550 or 551 or 553 => ChannelFailureKind.InvalidRecipient,
            _ => ChannelFailureKind.Permanent,
        };
        return (kind, code, $"SMTP {code ?? "failure"}: {detail}");
    }

    private static MailMessage Build(EmailSendRequest request, MailAddress from, string messageId)
    {
        var message = new MailMessage
        {
            From = from,
            Subject = request.Subject,
            SubjectEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
            BodyEncoding = Encoding.UTF8,
        };
        message.To.Add(new MailAddress(request.To, request.ToName, Encoding.UTF8));
        if (request.HtmlBody is null)
        {
            message.Body = request.TextBody;
            message.IsBodyHtml = false;
            message.BodyTransferEncoding = TransferEncoding.QuotedPrintable;
        }
        else
        {
            var text = AlternateView.CreateAlternateViewFromString(request.TextBody, Encoding.UTF8, MediaTypeNames.Text.Plain);
            text.TransferEncoding = TransferEncoding.QuotedPrintable;
            var html = AlternateView.CreateAlternateViewFromString(request.HtmlBody, Encoding.UTF8, MediaTypeNames.Text.Html);
            html.TransferEncoding = TransferEncoding.QuotedPrintable;
            message.AlternateViews.Add(text);
            message.AlternateViews.Add(html);
        }

        message.Headers.Add("Message-ID", messageId);
        message.Headers.Add(DeliveryHeader, request.DeliveryReference);
        if (request.ListUnsubscribeHeader is { } unsubscribe)
        {
            message.Headers.Add("List-Unsubscribe", unsubscribe);
            if (request.UnsubscribeUrl is not null)
            {
                message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            }
        }

        return message;
    }

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Email {DeliveryReference} sent as {MessageId} to {MaskedTo}")]
    private static partial void LogSent(ILogger logger, string deliveryReference, string messageId, string maskedTo);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Email {DeliveryReference} to {MaskedTo} failed: {FailureKind} (SMTP {SmtpCode})")]
    private static partial void LogFailed(ILogger logger, string deliveryReference, string maskedTo, ChannelFailureKind failureKind, string? smtpCode);
}

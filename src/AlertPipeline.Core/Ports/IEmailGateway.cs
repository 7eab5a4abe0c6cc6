using System.Net.Mail;
using AlertPipeline.Core.Common;

namespace AlertPipeline.Core.Ports;

/// <summary>
/// Sends one email. Implemented by the SMTP sender and the outbox. Failures throw <see cref="EmailSendException"/>.
/// A port: free of Azure and provider types.
/// </summary>
public interface IEmailGateway
{
    Task<EmailSendResult> SendAsync(EmailSendRequest request, CancellationToken cancellationToken = default);
}

/// <summary>One email to send (plain text, optionally HTML too). <see cref="ToString"/> masks the address.</summary>
public sealed record EmailSendRequest
{
    /// <param name="to">The recipient address.</param>
    /// <param name="subject">One line, not empty.</param>
    /// <param name="textBody">The plain-text part (always sent).</param>
    /// <param name="deliveryReference">Our delivery id (no personal data in it): carried in <c>X-AlertPipeline-Delivery</c> and the Message-ID.</param>
    /// <param name="htmlBody">The HTML alternative, if any.</param>
    /// <param name="unsubscribeUrl">One-click unsubscribe (https): <c>List-Unsubscribe</c> + <c>List-Unsubscribe-Post</c>.</param>
    /// <param name="unsubscribeMailto">An unsubscribe address for <c>List-Unsubscribe: &lt;mailto:…&gt;</c>.</param>
    /// <param name="toName">The recipient's display name.</param>
    public EmailSendRequest(
        string to,
        string subject,
        string textBody,
        string deliveryReference,
        string? htmlBody = null,
        Uri? unsubscribeUrl = null,
        string? unsubscribeMailto = null,
        string? toName = null)
    {
        if (string.IsNullOrWhiteSpace(to) || !MailAddress.TryCreate(to, out var parsed) || parsed.Address != to.Trim())
        {
            throw new ArgumentException($"The email recipient ({Redact.Email(to)}) is not a single valid address.", nameof(to));
        }

        if (string.IsNullOrWhiteSpace(subject) || subject.Contains('\r', StringComparison.Ordinal) || subject.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("The email subject must be one non-empty line.", nameof(subject));
        }

        ArgumentNullException.ThrowIfNull(textBody);
        if (string.IsNullOrWhiteSpace(deliveryReference) || deliveryReference.Any(char.IsControl))
        {
            throw new ArgumentException("The delivery reference must be non-empty and printable.", nameof(deliveryReference));
        }

        if (unsubscribeUrl is not null && (!unsubscribeUrl.IsAbsoluteUri || unsubscribeUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("The unsubscribe URL must be an absolute https URL (one-click unsubscribe requires https).", nameof(unsubscribeUrl));
        }

        if (unsubscribeMailto is not null && !MailAddress.TryCreate(unsubscribeMailto, out _))
        {
            throw new ArgumentException("The unsubscribe mailto is not a valid address.", nameof(unsubscribeMailto));
        }

        if (toName is not null && (toName.Contains('\r', StringComparison.Ordinal) || toName.Contains('\n', StringComparison.Ordinal)))
        {
            throw new ArgumentException("The recipient name must be one line.", nameof(toName));
        }

        To = to.Trim();
        Subject = subject;
        TextBody = textBody;
        DeliveryReference = deliveryReference;
        HtmlBody = htmlBody;
        UnsubscribeUrl = unsubscribeUrl;
        UnsubscribeMailto = unsubscribeMailto;
        ToName = toName;
    }

    public string To { get; }

    public string Subject { get; }

    public string TextBody { get; }

    public string DeliveryReference { get; }

    public string? HtmlBody { get; }

    public Uri? UnsubscribeUrl { get; }

    public string? UnsubscribeMailto { get; }

    public string? ToName { get; }

    /// <summary>
    /// Awaited by the gateway at the last moment before the message is handed over (SMTP: the body is written into the
    /// <c>DATA</c> stream, the end of data is not; the outbox: before appending); a throw from it ends the send with
    /// nothing handed over (SMTP: the connection closes without the end of data). The pipeline marks the row there.
    /// </summary>
    public Func<CancellationToken, Task>? BeforeHandover { get; init; }

    /// <summary>The <c>List-Unsubscribe</c> value (<c>&lt;mailto:…&gt;, &lt;https://…&gt;</c>), or null.</summary>
    public string? ListUnsubscribeHeader
    {
        get
        {
            var parts = new List<string>();
            if (UnsubscribeMailto is not null)
            {
                parts.Add($"<mailto:{UnsubscribeMailto}?subject=unsubscribe>");
            }

            if (UnsubscribeUrl is not null)
            {
                parts.Add($"<{UnsubscribeUrl.AbsoluteUri}>");
            }

            return parts.Count == 0 ? null : string.Join(", ", parts);
        }
    }

    public override string ToString() =>
        $"EmailSendRequest {{ To = {Redact.Email(To)}, SubjectLength = {Subject.Length}, DeliveryReference = {DeliveryReference}, Html = {HtmlBody is not null} }}";
}

/// <param name="ProviderId">The Message-ID we gave the message (SMTP returns none of its own) or <c>OUTBOX-…</c>.</param>
public sealed record EmailSendResult(string ProviderId);

public sealed class EmailSendException(ChannelFailureKind kind, string? providerCode, string message, Exception? innerException = null)
    : ChannelSendException(kind, providerCode, message, innerException);

using System.Text.RegularExpressions;
using AlertPipeline.Core.Common;

namespace AlertPipeline.Core.Ports;

/// <summary>
/// Sends one SMS. Implemented by the Twilio adapter and the outbox. Failures throw <see cref="SmsSendException"/>;
/// cancellation throws <see cref="OperationCanceledException"/> (a send cancelled in flight has an unknown outcome).
/// A port: free of Azure and provider types.
/// </summary>
public interface ISmsGateway
{
    /// <summary>Hands the message to the provider (pacing to the configured rate first).</summary>
    Task<SmsSendResult> SendAsync(SmsSendRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Messages the provider holds for <paramref name="to"/> created at or after <paramref name="since"/>: to find out
    /// whether a send whose outcome is unknown went out (match on <see cref="SmsSentRecord.Body"/>).
    /// </summary>
    IAsyncEnumerable<SmsSentRecord> FindSentAsync(string to, DateTimeOffset since, CancellationToken cancellationToken = default);
}

/// <summary>One SMS to send. <see cref="ToString"/> masks the number and omits the body.</summary>
public sealed partial record SmsSendRequest
{
    /// <param name="to">E.164 (<c>+</c> and 7..15 digits).</param>
    /// <param name="body">The text, 1..1600 characters.</param>
    /// <param name="deliveryReference">Our delivery id (no personal data in it): carried to the status callback.</param>
    /// <param name="validityPeriod">How long the provider may keep trying (at least 1 s; Twilio caps it at 10 h).</param>
    public SmsSendRequest(string to, string body, string deliveryReference, TimeSpan? validityPeriod = null)
    {
        if (string.IsNullOrWhiteSpace(to) || !E164().IsMatch(to))
        {
            throw new ArgumentException($"The SMS recipient ({Redact.Phone(to)}) is not an E.164 number.", nameof(to));
        }

        if (string.IsNullOrEmpty(body))
        {
            throw new ArgumentException("The SMS body is empty.", nameof(body));
        }

        if (body.Length > 1600)
        {
            throw new ArgumentException($"The SMS body has {body.Length} characters; at most 1600 can be sent.", nameof(body));
        }

        if (string.IsNullOrWhiteSpace(deliveryReference))
        {
            throw new ArgumentException("The delivery reference is empty.", nameof(deliveryReference));
        }

        if (validityPeriod is { } validity && validity < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(validityPeriod), validity, "The validity period must be at least one second; an expired alert must not be sent.");
        }

        To = to;
        Body = body;
        DeliveryReference = deliveryReference;
        ValidityPeriod = validityPeriod;
    }

    public string To { get; }

    public string Body { get; }

    public string DeliveryReference { get; }

    public TimeSpan? ValidityPeriod { get; }

    /// <summary>
    /// Awaited after the pacer's slot and before each request to the provider (a retry after a 429 included); a throw ends
    /// the send with nothing sent. The pipeline renews a claim there when the send waited long, so the message is created
    /// while the claim is fresh.
    /// </summary>
    public Func<CancellationToken, Task>? BeforeSend { get; init; }

    public override string ToString() =>
        $"SmsSendRequest {{ To = {Redact.Phone(To)}, BodyLength = {Body.Length}, DeliveryReference = {DeliveryReference}, ValidityPeriod = {ValidityPeriod} }}";

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164();
}

/// <param name="ProviderId">Twilio's message SID (<c>SM…</c>) or <c>OUTBOX-…</c>.</param>
/// <param name="Status">The provider's status at acceptance (<c>queued</c>, <c>accepted</c>, <c>outbox</c>).</param>
/// <param name="Segments">Segments the provider counted (or our estimate).</param>
public sealed record SmsSendResult(string ProviderId, string Status, int Segments);

/// <summary>A message the provider holds. <see cref="ToString"/> omits the body.</summary>
public sealed record SmsSentRecord(string ProviderId, string Status, string? Body, DateTimeOffset? CreatedAt)
{
    public override string ToString() => $"SmsSentRecord {{ ProviderId = {ProviderId}, Status = {Status}, CreatedAt = {CreatedAt:O} }}";
}

public sealed class SmsSendException(ChannelFailureKind kind, string? providerCode, string message, Exception? innerException = null)
    : ChannelSendException(kind, providerCode, message, innerException);

using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Messaging;
using NodaTime;

namespace AlertPipeline.Core.Deliveries;

/// <summary>The listing a delivery came from: the contact in one branch of one union.</summary>
public sealed record ContactRef(UnionId UnionId, BranchId BranchId, ContactId ContactId)
{
    /// <summary>The id that replaces the branch and contact of an erased contact's rows (<see cref="Erased"/>).</summary>
    public const string ErasedId = "erased";

    public static ContactRef For(Contact contact) => new(contact.UnionId, contact.BranchId, contact.ContactId);

    /// <summary>
    /// What an erased contact's delivery rows keep: the union only, so the union's reports still add up; the branch and
    /// contact become <see cref="ErasedId"/> (the link to the person is gone).
    /// </summary>
    public static ContactRef Erased(UnionId unionId) => new(unionId, BranchId.Parse(ErasedId), ContactId.Parse(ErasedId));

    /// <summary>Whether this is the placeholder of an erased contact (see <see cref="Erased"/>).</summary>
    public bool IsErased => BranchId.Value == ErasedId && ContactId.Value == ErasedId;

    public override string ToString() => $"{UnionId}/{BranchId}/{ContactId}";
}

/// <summary>
/// What rendering needs from the contact, copied onto a Pending row at fan-out so the sender renders without reading the
/// contact (the union and branch come from <see cref="DeliveryRecord.Contact"/>): the name, the language and the time
/// zone. The name is personal data: it leaves the row with the address (<see cref="DeliveryRecord.WithoutSpentAddress"/>),
/// erasure removes it, and <see cref="ToString"/> never prints it.
/// </summary>
public sealed record ContactSnapshot(string Name, LanguageTag Language, TimeZoneId TimeZone)
{
    public static ContactSnapshot Of(Contact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return new ContactSnapshot(contact.Name, contact.Language, contact.TimeZone);
    }

    /// <summary>The contact as rendering sees it: this snapshot under <paramref name="reference"/> (no address, no consent: the row carries those decisions).</summary>
    public Contact ToContact(ContactRef reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return new Contact { UnionId = reference.UnionId, BranchId = reference.BranchId, ContactId = reference.ContactId, Name = Name, Language = Language, TimeZone = TimeZone };
    }

    public override string ToString() => $"ContactSnapshot {{ Language = {Language}, TimeZone = {TimeZone} }}";
}

/// <summary>
/// One delivery: an alert to one recipient on one channel (a Deliveries row). Written by fan-out as
/// <see cref="DeliveryStatus.Pending"/> or <see cref="DeliveryStatus.Skipped"/>, then moved forward by the sender and
/// the provider's callbacks (<see cref="DeliveryTransitions"/>).
/// <para>
/// <see cref="Address"/> (E.164 number or email) is what the sender sends to, so it is personal data: it is stored only
/// on rows that may still be sent (<see cref="DeliveryTransitions.KeepsAddress"/>: Pending, Sending), dropped by every
/// move out of Sending (<see cref="WithoutSpentAddress"/>), and <see cref="ToString"/> never prints it.
/// </para>
/// </summary>
public sealed record DeliveryRecord
{
    public required DeliveryKey Key { get; init; }

    public required DeliveryStatus Status { get; init; }

    public SkipReason? SkipReason { get; init; }

    public FailureReason? FailureReason { get; init; }

    /// <summary>The provider's error code (Twilio <c>21211</c>, <c>30003</c>; an SMTP reply code).</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The listing that produced the row (the first one, when a person is listed several times).</summary>
    public ContactRef? Contact { get; init; }

    /// <summary>Where to send: the E.164 number or the email address. Null on rows that will never be sent.</summary>
    public string? Address { get; init; }

    /// <summary>
    /// What rendering needs from the contact, copied at fan-out (Pending rows only); null on rows written before it
    /// existed (the sender then reads the contact) and on every row that left Sending (dropped with <see cref="Address"/>).
    /// </summary>
    public ContactSnapshot? Snapshot { get; init; }

    /// <summary>The template language used (set when the message is rendered).</summary>
    public LanguageTag? Language { get; init; }

    public SmsEncodingKind? Encoding { get; init; }

    public int? Segments { get; init; }

    /// <summary>The provider's id: Twilio's SM… SID, the email Message-ID, or OUTBOX-….</summary>
    public string? ProviderId { get; init; }

    /// <summary>Lowercase hex SHA-256 of the rendered body handed to the provider: how reconciliation recognises our message.</summary>
    public string? BodyHash { get; init; }

    /// <summary>Claims so far (1 after the first).</summary>
    public int Attempt { get; init; }

    public Instant? FirstClaimedAt { get; init; }

    /// <summary>When the current claim was taken; a claim older than the stuck threshold is treated as abandoned.</summary>
    public Instant? ClaimedAt { get; init; }

    /// <summary>
    /// The last attempt provably handed nothing to the provider (HTTP 429, connection refused, configuration error), so
    /// the next dispatch may re-claim at once instead of waiting for the claim to go stale.
    /// </summary>
    public bool Released { get; init; }

    /// <summary>
    /// Email only: when the sender was about to end the message's data (marked per email once its body is written into the
    /// SMTP <c>DATA</c> stream, just before the end of data that makes the server take it). A stale claim with this mark may
    /// have been delivered, so it is recorded Sent <see cref="Unconfirmed"/>, never re-sent; a stale claim without it
    /// provably sent nothing (the server discards a message without its end of data) and is re-sent. Cleared when a claim is released.
    /// </summary>
    public Instant? HandedOverAt { get; init; }

    /// <summary>
    /// Email only, diagnostics: when the store wrote the handover mark (its own clock), kept when a stale marked claim is
    /// settled Sent <see cref="Unconfirmed"/> (<see cref="UnconfirmedReasons.SmtpSenderStopped"/>). Against the time its
    /// sender was stopped it tells whether the mark was still in flight then (requested, not yet written) or written.
    /// </summary>
    public Instant? HandoverStoredAt { get; init; }

    /// <summary>
    /// Why a Sent row is not confirmed by the provider (<see cref="UnconfirmedReasons"/>): the message was handed over but
    /// its acceptance never came back, and it was not re-sent (never the same alert twice). Null: confirmed.
    /// </summary>
    public string? Unconfirmed { get; init; }

    /// <summary>
    /// Quiet hours moved this delivery (SMS only): it must not be sent before this instant (the end of the contact's
    /// quiet hours). Null: send as soon as dispatched. Set by fan-out on deferred Pending rows; it stays on the row.
    /// </summary>
    public Instant? NotBefore { get; init; }

    /// <summary>
    /// The W3C trace context of the span that last claimed the row for sending: the status callback, which only brings the
    /// delivery key, continues the alert's trace from it (docs/observability.md). Ids only, no personal data.
    /// </summary>
    public string? TraceParent { get; init; }

    public required Instant CreatedAt { get; init; }

    public Instant UpdatedAt { get; init; }

    public Instant? SentAt { get; init; }

    public AlertId AlertId => Key.AlertId;

    public Channel Channel => Key.Channel;

    /// <summary>
    /// This row without its address and contact snapshot once its status no longer needs them
    /// (<see cref="DeliveryTransitions.KeepsAddress"/>).
    /// </summary>
    public DeliveryRecord WithoutSpentAddress() =>
        (Address is null && Snapshot is null) || DeliveryTransitions.KeepsAddress(Status) ? this : this with { Address = null, Snapshot = null };

    public override string ToString() =>
        $"DeliveryRecord {{ Key = {Key}, Status = {Status}, SkipReason = {SkipReason}, FailureReason = {FailureReason}, Attempt = {Attempt} }}";
}

/// <summary>The reasons a Sent row can carry in <see cref="DeliveryRecord.Unconfirmed"/>.</summary>
public static class UnconfirmedReasons
{
    /// <summary>The SMTP connection broke after the whole message was written and before the server's reply.</summary>
    public const string SmtpReplyLost = "smtp-unconfirmed: connection lost after the message was handed over; not re-sent";

    /// <summary>The sender stopped (crash, kill, timeout) after it began handing the message over.</summary>
    public const string SmtpSenderStopped = "smtp-unconfirmed: the sender stopped after handing the message over; not re-sent";
}

using System.Security.Cryptography;
using System.Text;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;
using NodaTime;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// The sending discipline shared by SMS and email (invariants 1, 3, 4), for a batch of deliveries (one dispatch message;
/// <see cref="HandleAsync"/> is a batch of one). Per row, as before batches, but with the round trips shared:
/// <list type="number">
/// <item>read the rows (<see cref="IDeliveryStore.GetManyAsync"/>: a few queries inside the batch's partition), waiting (bounded) while another sender holds a fresh claim; nothing to do
/// unless a row is Pending or Sending; a Pending row whose <c>NotBefore</c> (quiet hours) is still ahead is left alone
/// (<see cref="SendOutcome.Deferred"/>);</item>
/// <item>a Sending row (released, or its claim stale: the sender died or the outcome was unknown) is first reconciled
/// with the provider — if our message is there it is recorded, never sent twice;</item>
/// <item>expired → Skipped Expired; opted out (one look-up for the batch) → Skipped OptedOut; unrenderable → Skipped TemplateError (rendered from the row's <see cref="ContactSnapshot"/>, no contact read);</item>
/// <item>claim the rest with the ETags read, in one table transaction (Pending/Sending → Sending, Attempt + 1); a
/// transaction that loses a race (412) falls back to per-row claims, so a lost row sends nothing and the others still go;</item>
/// <item>send with bounded concurrency (<see cref="PipelineOptions.DispatchSendConcurrency"/>; pacing is the gateway's) and
/// record the outcomes in one transaction (falling back to per-row merges). A failure that sent nothing releases the claim, an
/// unknown outcome keeps it; both leave the row <see cref="SendOutcome.Retry"/>, so the message comes back and step 2 decides.</item>
/// </list>
/// </summary>
public abstract class DeliverySender(DeliveryClaims claims, PipelineLookups lookups, MessageComposer composer, IOptOutStore optOuts, PipelineOptions options)
{
    protected DeliveryClaims Claims => claims;

    protected PipelineOptions Options => options;

    protected abstract Channel Channel { get; }

    /// <summary>The failure reason of a provider's "invalid recipient" (InvalidNumber / InvalidAddress).</summary>
    protected abstract FailureReason InvalidRecipient { get; }

    /// <summary>One delivery (a batch of one). A row left unsettled throws <see cref="PipelineRetryException"/>.</summary>
    public async Task<SendResult> HandleAsync(DeliveryKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var sent = await SendBatchAsync([key], cancellationToken).ConfigureAwait(false);
        var result = sent.Rows[0];
        return result.Outcome == SendOutcome.Retry ? throw new PipelineRetryException(result.Detail ?? $"Delivery {key} is not settled.") : result;
    }

    /// <summary>Sends the deliveries (all of this channel) and returns one result per key, in order; never throws for one row's trouble.</summary>
    public async Task<SentBatch> SendBatchAsync(IReadOnlyList<DeliveryKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.FirstOrDefault(k => k.Channel != Channel) is { } other)
        {
            throw new ArgumentException($"Delivery {other} is not a {Channel} delivery.", nameof(keys));
        }

        var slots = keys.Select(k => new Slot(k)).ToArray();
        await LoadAsync(slots, cancellationToken).ConfigureAwait(false);
        var active = slots.Where(s => s.Result is null).ToList();
        if (active.Count == 0)
        {
            return new SentBatch(Results(slots), false);
        }

        var alertId = active[0].Key.AlertId;
        var alert = await lookups.GetAlertAsync(alertId, cancellationToken).ConfigureAwait(false);
        if (alert is null || active.Any(s => s.Key.AlertId != alertId))
        {
            foreach (var slot in active.Where(s => alert is null || s.Key.AlertId != alertId))
            {
                slot.Retry($"Alert {slot.Key.AlertId} of delivery {slot.Key} is not stored.");
            }

            if (alert is null)
            {
                return new SentBatch(Results(slots), true);
            }
        }

        await ForEachAsync(Active(slots).Where(s => s.Stored!.Record.Status == DeliveryStatus.Sending), ReconcileAsync, cancellationToken).ConfigureAwait(false);
        await ComposeAsync(Active(slots), alert!, cancellationToken).ConfigureAwait(false);
        await SkipAsync([.. Active(slots).Where(s => s.Composition!.SkipReason is not null)], cancellationToken).ConfigureAwait(false);

        var toClaim = Active(slots).ToList();
        if (toClaim.Count > 0)
        {
            await BeforeClaimAsync([.. toClaim.Select(s => s.Stored!.Record)], alert!, cancellationToken).ConfigureAwait(false);
            var claimed = await claims.ClaimAllAsync([.. toClaim.Select(s => (s.Stored!, Describe(s.Stored!.Record, s.Composition!)))], cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < toClaim.Count; i++)
            {
                toClaim[i].Claimed = claimed[i];
                if (claimed[i] is null)
                {
                    toClaim[i].Result = new SendResult(SendOutcome.ClaimLost, toClaim[i].Key, null);
                }
            }

            var sending = toClaim.Where(s => s.Claimed is not null).ToList();
            await ForEachAsync(sending, (slot, ct) => SendOneAsync(slot, alert!, ct), cancellationToken).ConfigureAwait(false);
            await RecordAsync(sending, cancellationToken).ConfigureAwait(false);
        }

        return new SentBatch(Results(slots), false);
    }

    /// <summary>The provider's record of an earlier attempt's message, or null (the default: the channel cannot tell).</summary>
    protected virtual Task<ProviderMessage?> FindSentAsync(DeliveryRecord row, CancellationToken cancellationToken) =>
        Task.FromResult<ProviderMessage?>(null);

    /// <summary>
    /// Whether each claimed row is marked (<see cref="DeliveryRecord.HandedOverAt"/>, one conditional update) just before
    /// its send, and an unknown outcome is settled as Sent <see cref="DeliveryRecord.Unconfirmed"/> instead of being
    /// retried: for a channel that cannot be asked what it took (email), so that nobody gets the same alert twice.
    /// </summary>
    protected virtual bool SettlesUnknownAsUnconfirmed => false;

    /// <summary>Bounds the handovers in flight (email: <see cref="SettlesUnknownAsUnconfirmed"/>); null: unbounded.</summary>
    protected virtual HandoverGate? HandoverGate => null;

    /// <summary>The reason recorded on a Sent row whose send ended with an unknown outcome (see <see cref="SettlesUnknownAsUnconfirmed"/>).</summary>
    protected virtual string UnknownOutcomeReason => UnconfirmedReasons.SmtpReplyLost;

    /// <summary>Bookkeeping that must succeed before the claim (a failure here leaves the rows unclaimed, so the retry is clean).</summary>
    protected virtual Task BeforeClaimAsync(IReadOnlyList<DeliveryRecord> rows, AlertRecord alert, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The claimed row's description of what is about to be sent (language, body hash, segments).</summary>
    protected abstract DeliveryRecord Describe(DeliveryRecord row, Composition composition);

    /// <summary>Hands the claimed row's message to the provider; returns its id or throws <see cref="ChannelSendException"/>.</summary>
    /// <param name="beforeHandover">What the gateway must await just before it hands the message over (a throw: nothing sent):
    /// for email the handover mark; for SMS the claim's renewal when the send waited long (<see cref="RenewIfAgedAsync"/>).</param>
    protected abstract Task<string> SendAsync(
        DeliveryRecord claimed, Composition composition, AlertRecord alert, Func<CancellationToken, Task> beforeHandover, CancellationToken cancellationToken);

    protected static string HashBody(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    private static IEnumerable<Slot> Active(IEnumerable<Slot> slots) => slots.Where(s => s.Result is null);

    private static IReadOnlyList<SendResult> Results(Slot[] slots) => [.. slots.Select(s => s.Result!)];

    private Task ForEachAsync(IEnumerable<Slot> slots, Func<Slot, CancellationToken, ValueTask> body, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(slots.ToList(), new ParallelOptions { MaxDegreeOfParallelism = options.DispatchSendConcurrency, CancellationToken = cancellationToken }, body);

    private async Task LoadAsync(Slot[] slots, CancellationToken cancellationToken)
    {
        var loaded = await claims.LoadAllAsync([.. slots.Select(s => s.Key)], cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < slots.Length; i++)
        {
            var (stored, busy) = loaded[i];
            var slot = slots[i];
            slot.Stored = stored;
            if (busy is not null)
            {
                slot.Retry(busy);
            }
            else if (stored is null)
            {
                slot.Result = new SendResult(SendOutcome.NotFound, slot.Key, null);
            }
            else if (stored.Record.Status is not (DeliveryStatus.Pending or DeliveryStatus.Sending))
            {
                slot.Result = SendResult.From(SendOutcome.AlreadyDone, stored.Record);
            }
            else if (stored.Record.Status == DeliveryStatus.Pending && stored.Record.NotBefore is { } notBefore && notBefore > claims.Now)
            {
                // Quiet hours: too early (a duplicate or early dispatch). Its own dispatch (scheduled, or the ScheduleTick's) comes when it is due.
                slot.Result = SendResult.From(SendOutcome.Deferred, stored.Record);
            }
        }
    }

    private async ValueTask ReconcileAsync(Slot slot, CancellationToken cancellationToken)
    {
        if (await FindSentAsync(slot.Stored!.Record, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return;
        }

        var status = found.Unconfirmed is not null ? DeliveryStatus.Sent : TwilioMessageStatus.Map(found.Status) ?? DeliveryStatus.Sent;
        var now = claims.Now;
        var moved = await claims.TryMoveAsync(slot.Stored, status, r => r with
        {
            ProviderId = found.ProviderId ?? r.ProviderId,
            SentAt = r.SentAt ?? now,
            FailureReason = status is DeliveryStatus.Failed or DeliveryStatus.Undelivered ? FailureReason.ProviderReported : null,
            Unconfirmed = found.Unconfirmed,
            HandoverStoredAt = found.Unconfirmed is not null && r.HandedOverAt is not null ? slot.Stored.StoredAt ?? r.HandoverStoredAt : r.HandoverStoredAt,
        }, cancellationToken).ConfigureAwait(false);
        slot.Result = moved is null ? new SendResult(SendOutcome.ClaimLost, slot.Key, null) : SendResult.From(SendOutcome.Reconciled, moved.Record);
    }

    private async Task ComposeAsync(IEnumerable<Slot> slots, AlertRecord alert, CancellationToken cancellationToken)
    {
        var list = slots.ToList();
        if (alert.Event.IsExpiredAt(claims.Now + Duration.FromSeconds(1)))
        {
            list.ForEach(s => s.Composition = Composition.Skip(SkipReason.Expired, nameof(SkipReason.Expired)));
            return;
        }

        var optedOut = list.Count == 0 ? new HashSet<RecipientHash>()
            : await optOuts.FindOptedOutAsync([.. list.Select(s => s.Key.Recipient)], Channel, cancellationToken).ConfigureAwait(false);
        await ForEachAsync(
            list,
            async (slot, ct) => slot.Composition = optedOut.Contains(slot.Key.Recipient)
                ? Composition.Skip(SkipReason.OptedOut, nameof(SkipReason.OptedOut))
                : await composer.ComposeAsync(slot.Stored!.Record, alert, ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task SkipAsync(IReadOnlyList<Slot> slots, CancellationToken cancellationToken)
    {
        var moved = await claims.TryMoveAllAsync(
            [.. slots.Select(s => (s.Stored!, DeliveryStatus.Skipped, (Func<DeliveryRecord, DeliveryRecord>)(r => r with { SkipReason = s.Composition!.SkipReason })))],
            cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < slots.Count; i++)
        {
            slots[i].Result = moved[i] is { } skipped ? SendResult.From(SendOutcome.Skipped, skipped.Record) : new SendResult(SendOutcome.ClaimLost, slots[i].Key, null);
        }
    }

    private async ValueTask SendOneAsync(Slot slot, AlertRecord alert, CancellationToken cancellationToken)
    {
        // Email: the gateway calls this once the body is written into the SMTP data, just before the end of data, so a stale
        // claim without the mark provably handed nothing over (a kill before it re-sends; one after the mark does not).
        // The email's gate slot (HandoverGate) is held from before the mark until the gateway returns (the handovers a kill
        // can lose) and, when the send failed after the mark was requested, until the claim's release has cleared the mark.
        IDisposable? handover = null;
        Func<CancellationToken, Task> beforeHandover = SettlesUnknownAsUnconfirmed
            ? async ct =>
            {
                handover = await EnterHandoverGateAsync(ct).ConfigureAwait(false);
                slot.MarkRequested = true;
                await MarkHandoverAsync(slot, ct, cancellationToken).ConfigureAwait(false);
                slot.EndOfDataAllowed = true;
            }
            : ct => RenewIfAgedAsync(slot, ct);
        try
        {
            try
            {
                slot.ProviderId = await SendAsync(slot.Claimed!.Record, slot.Composition!, alert, beforeHandover, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await AwaitPendingMarkAsync(slot, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (HandoverNotMarkedException ex)
        {
            if (ex.RowChanged)
            {
                slot.Lost = true;
            }
            else
            {
                slot.Failure = new NotHandedOverException(ex);
            }
        }
        catch (ChannelSendException ex)
        {
            slot.Failure = ex;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever went wrong, the provider may have the message: keep the claim, so the retry reconciles before any resend.
            slot.Failure = new UnknownOutcomeException(ex);
        }
        finally
        {
            try
            {
                if (slot.MarkRequested && WillBeReleased(slot))
                {
                    // The mark may be stored although its request failed or timed out (the table still applies a request it
                    // received), and nothing was handed over: clear it before giving the slot back, or a kill now would
                    // leave a marked claim (never re-sent) outside the gate's bound.
                    await ReleaseNowAsync(slot, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                handover?.Dispose();
            }
        }
    }

    /// <summary>Whether <see cref="RecordAsync"/> would release this slot's claim (nothing was handed over).</summary>
    private bool WillBeReleased(Slot slot) =>
        !slot.Lost && slot.Failure is { } failure
        && (failure.Kind is ChannelFailureKind.Transient or ChannelFailureKind.Configuration
            || (failure.Kind == ChannelFailureKind.OutcomeUnknown && SettlesUnknownAsUnconfirmed && !slot.EndOfDataAllowed));

    /// <summary>
    /// Releases one claim whose send stopped after its mark was requested, at once (not with the batch): the release, or
    /// when it meets a newer ETag (the mark was stored, its answer lost) <see cref="DeliveryClaims.TryReleaseOwnClaimAsync"/>.
    /// A table that does not answer leaves it to <see cref="RecordAsync"/>.
    /// </summary>
    private async Task ReleaseNowAsync(Slot slot, CancellationToken cancellationToken)
    {
        try
        {
            var now = claims.Now;
            var released = await claims.TryUpdateAllAsync([(slot.Claimed!, slot.Claimed!.Record with { Released = true, HandedOverAt = null, UpdatedAt = now })], cancellationToken).ConfigureAwait(false);
            if (released[0] is null)
            {
                await claims.TryReleaseOwnClaimAsync(slot.Claimed!, cancellationToken).ConfigureAwait(false);
            }

            slot.ReleasedEarly = true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The batch's release tries again.
        }
    }

    /// <summary>
    /// A slot of <see cref="HandoverGate"/> before the email's mark (null without a gate). A closed gate (the worker is
    /// stopping) or a wait that ran out of time stops the send before the mark: nothing is marked or handed over.
    /// </summary>
    private async Task<IDisposable?> EnterHandoverGateAsync(CancellationToken cancellationToken)
    {
        if (HandoverGate is not { } gate)
        {
            return null;
        }

        try
        {
            return await gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HandoverGateClosedException or OperationCanceledException)
        {
            throw new HandoverNotMarkedException(rowChanged: false, ex);
        }
    }

    /// <summary>
    /// The email's handover mark, conditional on the claim's ETag. With <see cref="EmailEndOfData.MarkSent"/> the end of
    /// data may follow as soon as the mark's request has left the worker (<see cref="WriteSent"/>): a kill from then on
    /// still leaves the mark stored, so the email is recorded Sent-unconfirmed, never re-sent, and a kill before it leaves
    /// no mark, so it is re-sent. That needs a claim no other sender can take over before the table applies the mark: one
    /// older than half of <see cref="PipelineOptions.StuckSendingAfter"/> is renewed first (a kill then leaves no mark).
    /// The mark's answer is awaited after the send (<see cref="AwaitPendingMarkAsync"/>), with the batch's token: the
    /// hook's own token ends with the send.
    /// </summary>
    private async Task MarkHandoverAsync(Slot slot, CancellationToken hook, CancellationToken batch)
    {
        if (options.EmailEndOfDataAfter != EmailEndOfData.MarkSent)
        {
            await UpdateClaimAsync(slot, claims.TryMarkHandoverAsync, hook).ConfigureAwait(false);
            return;
        }

        await RenewIfAgedAsync(slot, hook).ConfigureAwait(false);
        var (mark, sent) = WriteSent.Watch(() => UpdateClaimAsync(slot, claims.TryMarkHandoverAsync, batch));
        if (await Task.WhenAny(mark, sent).ConfigureAwait(false) == mark)
        {
            await mark.ConfigureAwait(false);
        }
        else
        {
            slot.PendingMark = mark;
        }
    }

    /// <summary>
    /// After the send, the answer of a mark whose end of data did not wait for it. The end of data may have gone, so the
    /// row must never look unmarked to a later sender: a mark the table did not store (it did not answer, or lost the
    /// request) is written again until it is (<see cref="DeliveryClaims.EnsureMarkedAsync"/>), and the send is recorded as
    /// it came out (Sent, or Sent-unconfirmed), never released for a resend. A row another writer changed meanwhile is
    /// left as it is: the record merges over it (<see cref="DeliveryClaims.RecordResultsAsync"/>).
    /// </summary>
    private async Task AwaitPendingMarkAsync(Slot slot, CancellationToken cancellationToken)
    {
        if (slot.PendingMark is not { } pending)
        {
            return;
        }

        slot.PendingMark = null;
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (HandoverNotMarkedException ex) when (!ex.RowChanged)
        {
            slot.Claimed = await claims.EnsureMarkedAsync(slot.Claimed!, cancellationToken).ConfigureAwait(false) ?? slot.Claimed;
        }
        catch (Exception ex) when (ex is HandoverNotMarkedException or OperationCanceledException)
        {
            // Another writer changed the row, or the worker is stopping: the record below merges over what is there.
        }
    }

    /// <summary>
    /// Before an SMS goes out: a claim older than half of <see cref="PipelineOptions.StuckSendingAfter"/> (the send waited
    /// long for the pacer, or for a retry after a 429) is renewed first, conditional on its ETag, so the message is always
    /// created while its claim is fresh: no other sender can have taken the row over, and reconciliation (which looks
    /// from the claim until <see cref="PipelineOptions.StuckSendingAfter"/> later) finds it. A row changed meanwhile sends nothing.
    /// </summary>
    private Task RenewIfAgedAsync(Slot slot, CancellationToken cancellationToken) =>
        claims.Now - slot.Claimed!.Record.ClaimedAt < Duration.FromTimeSpan(options.StuckSendingAfter) / 2
            ? Task.CompletedTask
            : UpdateClaimAsync(slot, claims.TryRenewClaimAsync, cancellationToken);

    private static async Task UpdateClaimAsync(
        Slot slot, Func<StoredDelivery, CancellationToken, Task<StoredDelivery?>> update, CancellationToken cancellationToken)
    {
        StoredDelivery? marked;
        try
        {
            marked = await update(slot.Claimed!, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new HandoverNotMarkedException(rowChanged: false, ex);
        }

        slot.Claimed = marked ?? throw new HandoverNotMarkedException(rowChanged: true, null);
    }

    /// <summary>Records what the sends did: sent and permanent failures in one merge; transient ones release the claim; unknown ones keep it.</summary>
    private async Task RecordAsync(IReadOnlyList<Slot> sending, CancellationToken cancellationToken)
    {
        var now = claims.Now;
        var results = new List<(Slot Slot, DeliveryStatus Status, Func<DeliveryRecord, bool, DeliveryRecord> Change, SendOutcome Outcome)>();
        var releases = new List<Slot>();
        foreach (var slot in sending)
        {
            if (slot.Lost)
            {
                slot.Result = new SendResult(SendOutcome.ClaimLost, slot.Key, null);
            }
            else if (slot.Failure is not { } failure)
            {
                var providerId = slot.ProviderId!;
                results.Add((slot, DeliveryStatus.Sent, (r, _) => r with { ProviderId = r.ProviderId ?? providerId, SentAt = r.SentAt ?? now }, SendOutcome.Sent));
            }
            else if (failure.Kind is ChannelFailureKind.Transient or ChannelFailureKind.Configuration)
            {
                releases.Add(slot);
                slot.Retry($"Delivery {slot.Key}: {failure.Kind} failure (code {failure.ProviderCode}), nothing was sent; retry later.");
            }
            else if (failure.Kind == ChannelFailureKind.OutcomeUnknown && SettlesUnknownAsUnconfirmed && !slot.EndOfDataAllowed)
            {
                // Never marked: the failure came before the handover, so nothing can have been sent.
                releases.Add(slot);
                slot.Retry($"Delivery {slot.Key}: failed before the handover (code {failure.ProviderCode}), nothing was sent; retry later.");
            }
            else if (failure.Kind == ChannelFailureKind.OutcomeUnknown && SettlesUnknownAsUnconfirmed)
            {
                // The provider may have it and cannot be asked: never send it again; say that it is unconfirmed.
                var reason = UnknownOutcomeReason;
                results.Add((slot, DeliveryStatus.Sent, (r, _) => r with { SentAt = r.SentAt ?? now, Unconfirmed = reason, ErrorCode = failure.ProviderCode }, SendOutcome.Sent));
            }
            else if (failure.Kind == ChannelFailureKind.OutcomeUnknown)
            {
                slot.Retry($"Delivery {slot.Key}: outcome unknown (code {failure.ProviderCode}); the retry reconciles before any resend.");
            }
            else
            {
                if (failure.Kind == ChannelFailureKind.OptedOut)
                {
                    await optOuts.OptOutAsync(slot.Key.Recipient, Channel, Channel == Channel.Sms ? OptOutSource.Twilio21610 : OptOutSource.Unsubscribe, now, cancellationToken).ConfigureAwait(false);
                }

                var reason = FailureReasonFor(failure);
                results.Add((slot, DeliveryStatus.Failed, (r, moved) => moved ? r with { FailureReason = reason, ErrorCode = failure.ProviderCode } : r, SendOutcome.Failed));
            }
        }

        releases.RemoveAll(s => s.ReleasedEarly);
        if (releases.Count > 0)
        {
            var released = await claims.TryUpdateAllAsync([.. releases.Select(s => (s.Claimed!, s.Claimed!.Record with { Released = true, HandedOverAt = null, UpdatedAt = now }))], cancellationToken).ConfigureAwait(false);
            if (SettlesUnknownAsUnconfirmed)
            {
                // A mark whose write failed may have been written all the same (its answer lost): then the release met a
                // newer ETag. Nothing was handed over, so this claim's mark must not outlive it (a stale marked claim is
                // recorded Sent-unconfirmed, never re-sent).
                await ForEachAsync(
                    releases.Where((_, i) => released[i] is null),
                    async (slot, ct) => await claims.TryReleaseOwnClaimAsync(slot.Claimed!, ct).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
            }
        }

        var stored = await claims.RecordResultsAsync([.. results.Select(r => (r.Slot.Claimed!, r.Status, r.Change))], cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < results.Count; i++)
        {
            results[i].Slot.Result = SendResult.From(results[i].Outcome, stored[i].Record);
        }
    }

    private FailureReason FailureReasonFor(ChannelSendException failure) =>
        failure.Kind == ChannelFailureKind.OptedOut ? FailureReason.OptedOut
        : TwilioErrorCodes.ToReason(TwilioErrorCodes.Parse(failure.ProviderCode)) is { } known && Channel == Channel.Sms ? known
        : failure.Kind == ChannelFailureKind.InvalidRecipient ? InvalidRecipient
        : FailureReason.Rejected;

    /// <summary>One row's way through the batch.</summary>
    private sealed class Slot(DeliveryKey key)
    {
        public DeliveryKey Key { get; } = key;

        public StoredDelivery? Stored { get; set; }

        public Composition? Composition { get; set; }

        public StoredDelivery? Claimed { get; set; }

        public string? ProviderId { get; set; }

        public ChannelSendException? Failure { get; set; }

        /// <summary>The row changed between the claim and the update just before the send (mark or renewal): nothing was sent.</summary>
        public bool Lost { get; set; }

        /// <summary>Email: the handover mark was requested (it may be stored even if the request failed).</summary>
        public bool MarkRequested { get; set; }

        /// <summary>Email: the handover hook returned, so the end of data may have gone out (the mark stored, or its request sent).</summary>
        public bool EndOfDataAllowed { get; set; }

        /// <summary>Email: the mark's answer, when the end of data did not wait for it (<see cref="EmailEndOfData.MarkSent"/>).</summary>
        public Task? PendingMark { get; set; }

        /// <summary>The claim was released right after its send failed (<see cref="ReleaseNowAsync"/>); the batch does not release it again.</summary>
        public bool ReleasedEarly { get; set; }

        public SendResult? Result { get; set; }

        public void Retry(string detail) =>
            Result = new SendResult(SendOutcome.Retry, Key, Claimed?.Record.Status ?? Stored?.Record.Status) { Detail = detail, Attempt = Claimed?.Record.Attempt ?? Stored?.Record.Attempt ?? 0 };
    }

    /// <summary>The claim could not be updated just before the send (the email's handover mark, the SMS claim's renewal): the gateway stopped before handing anything over.</summary>
    private sealed class HandoverNotMarkedException(bool rowChanged, Exception? inner)
        : Exception(rowChanged ? "The row changed before the handover; nothing was sent." : "The claim could not be updated before the handover; nothing was sent.", inner)
    {
        public bool RowChanged { get; } = rowChanged;
    }

    private sealed class NotHandedOverException(Exception inner)
        : ChannelSendException(ChannelFailureKind.Transient, null, "The send stopped before the handover; nothing was sent.", inner);

    /// <summary>An exception from a gateway that is not a <see cref="ChannelSendException"/>: the outcome is unknown.</summary>
    private sealed class UnknownOutcomeException(Exception inner)
        : ChannelSendException(ChannelFailureKind.OutcomeUnknown, null, $"The send ended with {inner.GetType().Name}; its outcome is unknown.", inner);
}

/// <summary>What <see cref="DeliverySender.SendBatchAsync"/> did: one result per key, and whether the alert was missing (then every row is Retry).</summary>
public sealed record SentBatch(IReadOnlyList<SendResult> Rows, bool AlertMissing);

/// <summary>
/// A message the provider holds, or may hold (found by reconciliation). <paramref name="Unconfirmed"/>: the channel cannot
/// tell, but the message was handed over, so the row is recorded Sent with this reason instead of being sent again.
/// </summary>
public sealed record ProviderMessage(string? ProviderId, string Status, string? Unconfirmed = null);

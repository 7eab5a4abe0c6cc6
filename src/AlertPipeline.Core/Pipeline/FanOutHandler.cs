using System.Security.Cryptography;
using System.Text;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Handles one <c>alert-events</c> message: validates it, stores the alert once under its derived id, and plans one
/// chunk per subscribed (union, branch). Invalid events are recorded with every error and returned as
/// <see cref="FanOutOutcome.Rejected"/> (the function sends the body to the poison queue; no retry). An event already
/// expired is stored and nothing is dispatched. Re-handling the same event plans the same chunks (idempotent).
/// The alert's partition layout (<see cref="DeliveryLayout"/>) is chosen here, before the alert is stored and so before
/// any of its deliveries exists: by <see cref="PipelineOptions.DeliveryBuckets"/>, or by the audience's size (contacts ×
/// channels) from each branch's stored count (<see cref="IContactCountStore"/>), counting (up to
/// <see cref="DeliveryLayout.WidestThreshold"/>) and storing only the branches that have none. An alert found already
/// stored keeps its own.
/// </summary>
public sealed class FanOutHandler(
    IMembershipReader membership,
    IContactCountStore counts,
    IAlertStore alerts,
    IRejectedEventLog rejections,
    AudienceResolver audience,
    PipelineOptions options,
    TimeProvider time)
{
    /// <summary>Branches looked up (or counted) at once when sizing the layout.</summary>
    internal const int CountsInFlight = 4;

    public async Task<FanOutResult> HandleAsync(string body, string? messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var parsed = AlertEventParser.Parse(body);
        if (!parsed.TryGetValue(out var alertEvent))
        {
            return await RejectAsync(body, parsed.Errors, messageId, cancellationToken).ConfigureAwait(false);
        }

        if (await CheckReferencesAsync(alertEvent, cancellationToken).ConfigureAwait(false) is { } problem)
        {
            return await RejectAsync(body, [problem], messageId, cancellationToken).ConfigureAwait(false);
        }

        var now = time.Now();
        var alertId = AlertId.For(alertEvent);
        var expired = alertEvent.IsExpiredAt(now);
        var branches = expired ? [] : await audience.ResolveAsync(alertEvent, cancellationToken).ConfigureAwait(false);
        var (layout, counted) = expired ? (DeliveryLayout.Sixteen, 0) : await ChooseLayoutAsync(alertEvent, branches, cancellationToken).ConfigureAwait(false);
        var record = new AlertRecord(alertId, alertEvent, now, expired) { Layout = layout };
        var added = await alerts.AddAsync(record, cancellationToken).ConfigureAwait(false);
        if (!added)
        {
            // Stored by an earlier message: its layout (and its deliveries' partitions) are that record's.
            record = await alerts.GetAsync(alertId, cancellationToken).ConfigureAwait(false) ?? record;
        }

        if (record.ExpiredOnArrival || record.Event.IsExpiredAt(now))
        {
            return new FanOutResult(FanOutOutcome.Expired, alertId, !added, [], ValueList.Empty<ValidationError>());
        }

        var chunks = branches.Select(b => new FanOutChunk(alertId, b.UnionId, b.BranchId, 0, null) { ContactsBefore = 0 }).ToList();
        return new FanOutResult(FanOutOutcome.Accepted, alertId, !added, chunks, ValueList.Empty<ValidationError>()) { Layout = record.Layout, BranchesCounted = counted };
    }

    /// <summary>The configured layout, or the one <see cref="DeliveryLayout.ForRows"/> gives for the audience's rows
    /// (contacts × channels), <see cref="CountsInFlight"/> branches at a time: a branch's stored count when it has one, else
    /// a count (stored when exact, i.e. below the limit) that stops once the audience passes
    /// <see cref="DeliveryLayout.WidestThreshold"/>. Also returns how many branches had to be counted.</summary>
    private async Task<(DeliveryLayout Layout, int Counted)> ChooseLayoutAsync(AlertEvent alertEvent, IReadOnlyList<BranchRef> branches, CancellationToken cancellationToken)
    {
        if (options.DeliveryBuckets != 0)
        {
            return (DeliveryLayout.FromBuckets(options.DeliveryBuckets), 0);
        }

        var channels = Math.Max(1, alertEvent.Channels.Count);
        var enough = (int)Math.Min(int.MaxValue, (DeliveryLayout.WidestThreshold / channels) + 1);
        long contacts = 0;
        var counted = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await Parallel.ForEachAsync(
                branches,
                new ParallelOptions { MaxDegreeOfParallelism = CountsInFlight, CancellationToken = stop.Token },
                async (branch, ct) =>
                {
                    var size = (await counts.GetAsync(branch.UnionId, branch.BranchId, ct).ConfigureAwait(false))?.Contacts;
                    if (size is null)
                    {
                        Interlocked.Increment(ref counted);
                        size = await membership.CountContactsAsync(branch.UnionId, branch.BranchId, enough, ct).ConfigureAwait(false);
                        if (size < enough)
                        {
                            await counts.RecordAsync(branch.UnionId, branch.BranchId, new BranchContactCount(size.Value, time.Now()), ct).ConfigureAwait(false);
                        }
                    }

                    if (Interlocked.Add(ref contacts, size.Value) >= enough)
                    {
                        await stop.CancelAsync().ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && Interlocked.Read(ref contacts) >= enough)
        {
            // Counted enough: the widest layout it is.
        }

        return (DeliveryLayout.ForRows(Interlocked.Read(ref contacts) * channels), Volatile.Read(ref counted));
    }

    private async Task<ValidationError?> CheckReferencesAsync(AlertEvent alertEvent, CancellationToken cancellationToken) =>
        alertEvent.TemplateRef is not null
            ? new ValidationError("$.templateRef", "stored template sets are not supported yet; send inline templates")
            : await membership.GetCampaignAsync(alertEvent.CampaignId, cancellationToken).ConfigureAwait(false) is null
                ? new ValidationError("$.campaignId", $"unknown campaign '{alertEvent.CampaignId}'")
                : null;

    private async Task<FanOutResult> RejectAsync(string body, IEnumerable<ValidationError> errors, string? messageId, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var list = ValueList.From(errors);
        var rejected = new RejectedEvent(Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, list, time.Now(), messageId);
        await rejections.RecordAsync(rejected, cancellationToken).ConfigureAwait(false);
        return new FanOutResult(FanOutOutcome.Rejected, null, false, [], list) { Rejection = rejected };
    }
}

public enum FanOutOutcome
{
    /// <summary>Stored (or found stored) and planned: one chunk per subscribed branch.</summary>
    Accepted,

    /// <summary>Stored, but its expiry has passed: nothing is dispatched.</summary>
    Expired,

    /// <summary>Invalid: recorded with its errors; the body belongs in the poison queue.</summary>
    Rejected,
}

/// <param name="AlreadyReceived">The alert was stored by an earlier message (a redelivery or a re-sent event).</param>
public sealed record FanOutResult(
    FanOutOutcome Outcome, AlertId? AlertId, bool AlreadyReceived, IReadOnlyList<FanOutChunk> Chunks, ValueList<ValidationError> Errors)
{
    public RejectedEvent? Rejection { get; init; }

    /// <summary>The accepted alert's partition layout (as stored: an earlier message's choice wins).</summary>
    public DeliveryLayout? Layout { get; init; }

    /// <summary>Branches whose contacts this event had to count to choose the layout (0: configured, or every branch had a
    /// stored count).</summary>
    public int BranchesCounted { get; init; }
}

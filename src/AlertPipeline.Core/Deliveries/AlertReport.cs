using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Deliveries;

/// <summary>
/// Adds up an alert's delivery rows (pure), one row at a time so the caller can stream them page by page: per channel,
/// counts by status, failures by (reason, error code), skips by reason, Sent rows left unconfirmed, and the SMS segments recorded.
/// </summary>
public sealed class AlertReportBuilder
{
    private readonly SortedDictionary<Channel, Counts> _channels = [];

    public int Rows { get; private set; }

    public void Add(DeliveryRecord row)
    {
        ArgumentNullException.ThrowIfNull(row);
        Add(new ReportedRow(row.Channel, row.Status, row.SkipReason, row.FailureReason, row.ErrorCode, row.Segments, row.Unconfirmed));
    }

    /// <summary>Adds one row's report columns (what a store reads when it reads only these).</summary>
    public void Add(ReportedRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        Rows++;
        if (!_channels.TryGetValue(row.Channel, out var counts))
        {
            _channels[row.Channel] = counts = new Counts();
        }

        counts.Total++;
        counts.ByStatus[row.Status] = counts.ByStatus.GetValueOrDefault(row.Status) + 1;
        counts.Segments += row.Segments ?? 0;
        if (row.Unconfirmed is not null)
        {
            counts.Unconfirmed++;
        }
        if (row.Status is DeliveryStatus.Failed or DeliveryStatus.Undelivered)
        {
            var failure = new FailureKey(row.Status, row.FailureReason, row.ErrorCode);
            counts.Failures[failure] = counts.Failures.GetValueOrDefault(failure) + 1;
        }
        else if (row.Status == DeliveryStatus.Skipped && row.SkipReason is { } reason)
        {
            counts.Skipped[reason] = counts.Skipped.GetValueOrDefault(reason) + 1;
        }
    }

    public AlertReport Build() => new(
        Rows,
        [
            .. _channels.Select(c => new ChannelReport(
                c.Key,
                c.Value.Total,
                c.Value.ByStatus,
                [.. c.Value.Failures
                    .OrderByDescending(f => f.Value).ThenBy(f => f.Key.Status).ThenBy(f => f.Key.Reason).ThenBy(f => f.Key.ErrorCode, StringComparer.Ordinal)
                    .Select(f => new FailureCount(f.Key.Status, f.Key.Reason, f.Key.ErrorCode, f.Value))],
                c.Value.Skipped,
                c.Value.Segments)
            {
                Unconfirmed = c.Value.Unconfirmed,
            }),
        ]);

    private readonly record struct FailureKey(DeliveryStatus Status, FailureReason? Reason, string? ErrorCode);

    private sealed class Counts
    {
        public int Total { get; set; }

        public long Segments { get; set; }

        public int Unconfirmed { get; set; }

        public SortedDictionary<DeliveryStatus, int> ByStatus { get; } = [];

        public Dictionary<FailureKey, int> Failures { get; } = [];

        public SortedDictionary<SkipReason, int> Skipped { get; } = [];
    }
}

public sealed record AlertReport(int Rows, IReadOnlyList<ChannelReport> Channels);

/// <summary>The columns of a delivery row the report counts (no key, contact or address).</summary>
/// <param name="Unconfirmed">The Sent row's <see cref="DeliveryRecord.Unconfirmed"/> reason, if any.</param>
public sealed record ReportedRow(
    Channel Channel, DeliveryStatus Status, SkipReason? SkipReason, FailureReason? FailureReason, string? ErrorCode, int? Segments, string? Unconfirmed = null);

/// <param name="Segments">SMS segments recorded on the rows (set when a message is rendered for sending).</param>
public sealed record ChannelReport(
    Channel Channel, int Total, IReadOnlyDictionary<DeliveryStatus, int> ByStatus, IReadOnlyList<FailureCount> Failures,
    IReadOnlyDictionary<SkipReason, int> Skipped, long Segments)
{
    /// <summary>Sent rows whose acceptance the provider never confirmed (<see cref="DeliveryRecord.Unconfirmed"/>): handed over, not re-sent.</summary>
    public int Unconfirmed { get; init; }
}

/// <summary>Failed or Undelivered rows with the same reason and provider error code.</summary>
public sealed record FailureCount(DeliveryStatus Status, FailureReason? Reason, string? ErrorCode, int Count);

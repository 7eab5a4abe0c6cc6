using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.LocalHost.Demo;

/// <summary>
/// What happened to one alert's deliveries, summed from its Deliveries rows (read through <see cref="IDeliveryStore"/>):
/// counts by channel and status, why rows were skipped or failed, SMS segments by encoding, languages. Holds no personal
/// data (no addresses, no names).
/// </summary>
public sealed class DeliveryReport
{
    private readonly Dictionary<(Channel, DeliveryStatus), int> _byStatus = [];
    private readonly Dictionary<(Channel, SkipReason), int> _skipped = [];
    private readonly Dictionary<(Channel, FailureReason, string?), int> _failed = [];
    private readonly Dictionary<SmsEncodingKind, (int Messages, int Segments)> _encodings = [];
    private readonly Dictionary<(Channel, string), int> _languages = [];

    public DeliveryReport(AlertId alertId)
    {
        AlertId = alertId;
    }

    public AlertId AlertId { get; }

    public int Rows { get; private set; }

    /// <summary>Rows still Pending or Sending (a sender has not finished with them), except deferred ones.</summary>
    public int Unsettled { get; private set; }

    /// <summary>Pending rows deferred by quiet hours (<see cref="DeliveryRecord.NotBefore"/> set): they wait for the morning on
    /// purpose, so they do not count as unsettled. Rows sent after a deferral are counted by status as usual.</summary>
    public int Deferred { get; private set; }

    /// <summary>Rows of any status that quiet hours deferred (<see cref="DeliveryRecord.NotBefore"/> set).</summary>
    public int EverDeferred { get; private set; }

    public IReadOnlyDictionary<(Channel Channel, DeliveryStatus Status), int> ByStatus => _byStatus;

    public IReadOnlyDictionary<(Channel Channel, SkipReason Reason), int> Skipped => _skipped;

    public IReadOnlyDictionary<(Channel Channel, FailureReason Reason, string? ErrorCode), int> Failed => _failed;

    /// <summary>SMS handed to the provider (or the outbox), by encoding: messages and segments.</summary>
    public IReadOnlyDictionary<SmsEncodingKind, (int Messages, int Segments)> Encodings => _encodings;

    public IReadOnlyDictionary<(Channel Channel, string Language), int> Languages => _languages;

    public int TotalSegments => _encodings.Values.Sum(e => e.Segments);

    public IReadOnlyList<Channel> Channels => [.. _byStatus.Keys.Select(k => k.Item1).Distinct().Order()];

    /// <summary>Every row is past Pending and Sending (and at least one exists).</summary>
    public bool IsSettled => Rows > 0 && Unsettled == 0;

    public int Count(Channel channel, DeliveryStatus status) => _byStatus.GetValueOrDefault((channel, status));

    public int Count(Channel channel) => _byStatus.Where(kv => kv.Key.Item1 == channel).Sum(kv => kv.Value);

    /// <summary>Reads every row of the alert, page by page.</summary>
    public static async Task<DeliveryReport> ReadAsync(IDeliveryStore deliveries, AlertId alertId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        var report = new DeliveryReport(alertId);
        string? token = null;
        do
        {
            var page = await deliveries.GetPageAsync(alertId, 1000, token, cancellationToken).ConfigureAwait(false);
            foreach (var row in page.Rows)
            {
                report.Add(row);
            }

            token = page.ContinuationToken;
        }
        while (token is not null);

        return report;
    }

    public void Add(DeliveryRecord row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.AlertId != AlertId)
        {
            throw new ArgumentException($"Row {row.Key} belongs to another alert than {AlertId}.", nameof(row));
        }

        Rows++;
        Increment(_byStatus, (row.Channel, row.Status));
        if (row.NotBefore is not null)
        {
            EverDeferred++;
        }

        if (row.Status == DeliveryStatus.Pending && row.NotBefore is not null)
        {
            Deferred++;
        }
        else if (row.Status is DeliveryStatus.Pending or DeliveryStatus.Sending)
        {
            Unsettled++;
        }

        if (row.Status == DeliveryStatus.Skipped && row.SkipReason is { } skip)
        {
            Increment(_skipped, (row.Channel, skip));
        }

        if (row.Status is DeliveryStatus.Failed or DeliveryStatus.Undelivered)
        {
            Increment(_failed, (row.Channel, row.FailureReason ?? FailureReason.ProviderReported, row.ErrorCode));
        }

        var handedOver = row.Status is DeliveryStatus.Sent or DeliveryStatus.Delivered or DeliveryStatus.Undelivered
                         || (row.Status == DeliveryStatus.Failed && row.ProviderId is not null);
        if (handedOver && row.Channel == Channel.Sms && row.Encoding is { } encoding)
        {
            var (messages, segments) = _encodings.GetValueOrDefault(encoding);
            _encodings[encoding] = (messages + 1, segments + (row.Segments ?? 0));
        }

        if (handedOver && row.Language is { } language)
        {
            Increment(_languages, (row.Channel, language.Value));
        }
    }

    private static void Increment<TKey>(Dictionary<TKey, int> counts, TKey key)
        where TKey : notnull =>
        counts[key] = counts.GetValueOrDefault(key) + 1;
}

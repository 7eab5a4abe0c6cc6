using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using NodaTime;
using NodaTime.Text;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// One dispatch message's worth of deliveries: up to <see cref="PipelineOptions.DispatchBatchSize"/> rows of ONE alert,
/// ONE channel and ONE first hex digit of the recipient hash (<see cref="Bucket"/>, see <see cref="DeliveryBuckets"/>):
/// one Deliveries partition in the 16-bucket layout, the 4 or 16 partitions that digit holds in the 64- and 256-bucket
/// layouts (<see cref="DeliveryLayout"/>; the sender reads, claims and records per partition of the alert's stored
/// layout). So a batch is as full in every layout and its message and id are the same as before layouts. It names rows by
/// their recipient hashes only, never a number or address. Valid when built: at least one and at most
/// <see cref="MaxRecipients"/> recipients, no duplicates, every recipient in <see cref="Bucket"/>.
/// </summary>
/// <param name="NotBefore">Not to be sent before (quiet hours), or null: the transport schedules or hides the message until then.</param>
/// <param name="TraceParent">The W3C <c>traceparent</c> of the fan-out that made the batch, or null.</param>
public sealed record DispatchBatch
{
    /// <summary>The most recipients one batch may carry (the upper bound of <see cref="PipelineOptions.DispatchBatchSize"/>).</summary>
    public const int MaxRecipients = 100;

    /// <summary>How far ahead a batch's <see cref="NotBefore"/> can be scheduled on every transport (a Storage queue message's
    /// initial visibility is at most 7 days); rows deferred further are released by the ScheduleTick.</summary>
    public static readonly Duration MaxScheduleAhead = Duration.FromDays(7);

    /// <summary>Hex digits of the recipient-set hash in <see cref="DispatchId"/>.</summary>
    private const int SetHashDigits = 20;

    public DispatchBatch(AlertId AlertId, Channel Channel, int Bucket, IReadOnlyList<RecipientHash> Recipients, Instant? NotBefore, string? TraceParent)
    {
        ArgumentNullException.ThrowIfNull(AlertId);
        ArgumentNullException.ThrowIfNull(Recipients);
        _ = Channel.ToWireName(); // rejects undefined channel values
        if (Check(Bucket, Recipients) is { } problem)
        {
            throw new ArgumentException($"Dispatch batch: {problem}.", nameof(Recipients));
        }

        this.AlertId = AlertId;
        this.Channel = Channel;
        this.Bucket = Bucket;
        this.Recipients = new ValueList<RecipientHash>(Recipients);
        this.NotBefore = NotBefore;
        this.TraceParent = string.IsNullOrEmpty(TraceParent) ? null : TraceParent;
        DispatchId = ComputeId(AlertId, Channel, Bucket, this.Recipients);
    }

    public AlertId AlertId { get; }

    public Channel Channel { get; }

    public int Bucket { get; }

    public IReadOnlyList<RecipientHash> Recipients { get; }

    public Instant? NotBefore { get; init; }

    public string? TraceParent { get; init; }

    /// <summary>
    /// Deterministic, ≤ 128 characters of <c>[a-z0-9-]</c>: <c>{alertId}-{sms|email}-{bucket hex}-{first 20 hex digits of
    /// SHA-256 over the recipient hashes sorted ordinally and joined by '\n'}</c>. The same rows always give the same id
    /// (in any order, whatever <see cref="NotBefore"/>), which is what Service Bus duplicate detection keys on.
    /// </summary>
    public string DispatchId { get; }

    /// <summary>The Deliveries row keys, in <see cref="Recipients"/> order.</summary>
    public IReadOnlyList<DeliveryKey> Keys => [.. Recipients.Select(r => new DeliveryKey(AlertId, Channel, r))];

    /// <summary>The queue this batch goes to (<see cref="QueueNames.DispatchFor"/>).</summary>
    public string QueueName => QueueNames.DispatchFor(Channel);

    public DispatchBatchMessage ToMessage() => new(
        AlertId.Value,
        Channel.ToWireName(),
        Bucket,
        [.. Recipients.Select(r => r.Value)],
        NotBefore is { } notBefore ? InstantPattern.ExtendedIso.Format(notBefore) : null,
        TraceParent);

    /// <summary>Splits the keys (one alert and channel, any buckets) into batches of at most <paramref name="size"/> rows of one bucket each.</summary>
    public static IReadOnlyList<DispatchBatch> Split(IEnumerable<DeliveryKey> keys, int size, Instant? notBefore = null, string? traceParent = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxRecipients);
        var batches = new List<DispatchBatch>();
        foreach (var group in keys.Distinct().GroupBy(k => (k.AlertId, k.Channel, Bucket: DeliveryBuckets.Of(k))))
        {
            foreach (var chunk in group.Chunk(size))
            {
                batches.Add(new DispatchBatch(group.Key.AlertId, group.Key.Channel, group.Key.Bucket, [.. chunk.Select(k => k.Recipient)], notBefore, traceParent));
            }
        }

        return batches;
    }

    public bool Equals(DispatchBatch? other) =>
        other is not null && AlertId == other.AlertId && Channel == other.Channel && Bucket == other.Bucket
        && Recipients.Equals(other.Recipients) && NotBefore == other.NotBefore && TraceParent == other.TraceParent;

    public override int GetHashCode() => HashCode.Combine(DispatchId, NotBefore);

    public override string ToString() => $"{DispatchId} ({Recipients.Count} deliveries)";

    internal static string? Check(int bucket, IReadOnlyList<RecipientHash> recipients)
    {
        if (bucket is < 0 or >= DeliveryBuckets.Count)
        {
            return $"bucket must be between 0 and {DeliveryBuckets.Count - 1}";
        }

        if (recipients.Count is 0 or > MaxRecipients)
        {
            return $"recipients must hold 1 to {MaxRecipients} recipient hashes; it holds {recipients.Count}";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < recipients.Count; i++)
        {
            if (recipients[i] is null)
            {
                return $"recipients[{i}] is missing";
            }

            if (DeliveryBuckets.Of(recipients[i]) != bucket)
            {
                return $"recipients[{i}] is not in bucket {bucket} (a recipient's bucket is its hash's first hex digit)";
            }

            if (!seen.Add(recipients[i].Value))
            {
                return $"recipients[{i}] repeats an earlier recipient";
            }
        }

        return null;
    }

    private static string ComputeId(AlertId alertId, Channel channel, int bucket, IReadOnlyList<RecipientHash> recipients)
    {
        var sorted = recipients.Select(r => r.Value).Order(StringComparer.Ordinal);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', sorted)));
        return $"{alertId.Value}-{channel.ToWireName()}-{DeliveryBuckets.Digit(bucket)}-{Convert.ToHexStringLower(hash)[..SetHashDigits]}";
    }
}

/// <summary>
/// The JSON body of a dispatch message on both transports (camelCase):
/// <c>{"alertId","channel","bucket","recipients":[…],"notBefore","traceParent"}</c>. Recipient hashes only, never a number or
/// email. No top-level field is named <c>Id</c>, <c>DequeueCount</c>, <c>DeliveryCount</c> or <c>MessageId</c> (the
/// Functions host merges top-level fields into trigger metadata).
/// </summary>
public sealed record DispatchBatchMessage(string? AlertId, string? Channel, int Bucket, IReadOnlyList<string>? Recipients, string? NotBefore, string? TraceParent)
{
    /// <summary>
    /// Validates everything (alert id, channel, bucket, 1..<see cref="DispatchBatch.MaxRecipients"/> recipient hashes, each in the
    /// bucket, no duplicates, notBefore an ISO instant) and names the field that is wrong. The error never holds a number or email.
    /// </summary>
    public bool TryParse([NotNullWhen(true)] out DispatchBatch? batch, [NotNullWhen(false)] out string? error)
    {
        batch = null;
        if (!Alerts.AlertId.TryParse(AlertId, out var alertId, out var problem))
        {
            return Fail($"alertId: {problem}", out error);
        }

        if (!ChannelNames.TryParse(Channel, out var channel))
        {
            return Fail("channel must be 'sms' or 'email'", out error);
        }

        if (Bucket is < 0 or >= DeliveryBuckets.Count)
        {
            return Fail($"bucket must be between 0 and {DeliveryBuckets.Count - 1}", out error);
        }

        if (Recipients is null || Recipients.Count is 0 or > DispatchBatch.MaxRecipients)
        {
            return Fail($"recipients must hold 1 to {DispatchBatch.MaxRecipients} recipient hashes; it holds {Recipients?.Count ?? 0}", out error);
        }

        var hashes = new List<RecipientHash>(Recipients.Count);
        for (var i = 0; i < Recipients.Count; i++)
        {
            if (!RecipientHash.TryParse(Recipients[i], out var hash, out _))
            {
                // The value itself is never echoed: a malformed entry could be a number or address put there by mistake.
                return Fail($"recipients[{i}] must be a recipient hash of {RecipientHash.Length} lowercase hexadecimal digits", out error);
            }

            hashes.Add(hash);
        }

        if (DispatchBatch.Check(Bucket, hashes) is { } invalid)
        {
            return Fail(invalid, out error);
        }

        Instant? notBefore = null;
        if (NotBefore is not null)
        {
            if (!InstantPattern.ExtendedIso.Parse(NotBefore).TryGetValue(default, out var parsed))
            {
                return Fail("notBefore must be an ISO-8601 UTC instant such as 2026-01-02T08:00:00Z", out error);
            }

            notBefore = parsed;
        }

        if (TraceParent is { Length: > 128 })
        {
            return Fail("traceParent must be at most 128 characters", out error);
        }

        batch = new DispatchBatch(alertId, channel, Bucket, hashes, notBefore, TraceParent);
        error = null;
        return true;
    }

    private static bool Fail(string problem, out string error)
    {
        error = "dispatch message: " + problem;
        return false;
    }
}

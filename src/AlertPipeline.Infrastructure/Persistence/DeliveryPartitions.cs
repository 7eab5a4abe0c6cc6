using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using AlertPipeline.Core.Alerts;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// How an alert's Deliveries rows are spread over partitions: PK = <c>{alertId}~{bucket}</c>, where the bucket is the
/// first hexadecimal digit of the row's recipient hash (<c>0</c>–<c>f</c>, <see cref="DeliveryBuckets"/> in Core). The
/// recipient hash is part of every delivery key, so any row's partition is derived from its key alone (status callbacks,
/// dispatch messages). <b>Never change <see cref="BucketCount"/> or the bucket function once rows exist</b>: stored rows
/// would no longer be found (docs/storage.md).
/// </summary>
public static class DeliveryPartitions
{
    /// <summary>16 buckets (<see cref="DeliveryBuckets.Count"/>).</summary>
    public const int BucketCount = DeliveryBuckets.Count;

    /// <summary>The bucket (0–15) of a recipient (<see cref="DeliveryBuckets.Of(RecipientHash)"/>).</summary>
    public static int Bucket(RecipientHash recipient) => DeliveryBuckets.Of(recipient);

    /// <summary>The PartitionKey of one bucket of an alert: <c>{alertId}~{bucket as one hex digit}</c>.</summary>
    public static string PartitionKey(AlertId alertId, int bucket)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bucket, BucketCount);
        return EntityValues.Key(alertId.Value, BucketDigit(bucket));
    }

    /// <summary>The PartitionKey of the row with this key.</summary>
    public static string PartitionKey(DeliveryKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return PartitionKey(key.AlertId, Bucket(key.Recipient));
    }

    /// <summary>Reads <c>{alertId}~{bucket}</c> back; false for anything else (an upper-case digit included).</summary>
    public static bool TryParsePartitionKey(string? partitionKey, [NotNullWhen(true)] out AlertId? alertId, out int bucket)
    {
        alertId = null;
        bucket = -1;
        var separator = partitionKey?.IndexOf(EntityValues.KeySeparator, StringComparison.Ordinal) ?? -1;
        if (separator < 0 || separator != partitionKey!.Length - 2 || HexValue(partitionKey[^1]) is not (>= 0 and var value)
            || !AlertId.TryParse(partitionKey[..separator], out var parsed, out _))
        {
            return false;
        }

        alertId = parsed;
        bucket = value;
        return true;
    }

    private static string BucketDigit(int bucket) => DeliveryBuckets.Digit(bucket).ToString();

    private static int HexValue(char c) => DeliveryBuckets.HexValue(c);
}

/// <summary>
/// Where <see cref="DeliveryRepository.GetPageAsync"/> resumes: the alert's partition (so a token of one alert cannot
/// be replayed against another), the bucket, and the table query's own continuation token within that bucket (none:
/// the bucket's start). Opaque to callers: base64url of <c>d1|{alertId}~{bucket}|{tableToken}</c>.
/// </summary>
internal sealed record DeliveryPageToken(AlertId AlertId, int Bucket, string? TableToken)
{
    private const string Version = "d1";

    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Version}|{DeliveryPartitions.PartitionKey(AlertId, Bucket)}|{TableToken}"));

    /// <summary>
    /// Decodes a token this repository issued for <paramref name="alertId"/>; throws <see cref="ArgumentException"/>
    /// naming <paramref name="paramName"/> and what is wrong otherwise.
    /// </summary>
    public static DeliveryPageToken Decode(string token, AlertId alertId, string paramName)
    {
        ArgumentNullException.ThrowIfNull(token);
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw Invalid(paramName, "is not base64url");
        }

        var parts = text.Split('|');
        if (parts.Length != 3 || parts[0] != Version)
        {
            throw Invalid(paramName, "is not a delivery page token");
        }

        if (!DeliveryPartitions.TryParsePartitionKey(parts[1], out var tokenAlert, out var bucket))
        {
            throw Invalid(paramName, "names no delivery partition");
        }

        if (tokenAlert != alertId)
        {
            throw Invalid(paramName, "belongs to another alert");
        }

        if (parts[2].Length > 0 && !TableClientExtensions.IsPageToken(parts[2]))
        {
            throw Invalid(paramName, "holds no valid table position");
        }

        return new DeliveryPageToken(alertId, bucket, parts[2].Length == 0 ? null : parts[2]);
    }

    private static ArgumentException Invalid(string paramName, string problem) =>
        new($"The delivery page continuation token {problem}; pass back a token from GetPageAsync for the same alert, or null to start.", paramName);
}

using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using AlertPipeline.Core.Alerts;
using Azure.Data.Tables;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// How an alert's Deliveries rows are spread over partitions: PK = <c>{alertId}~{bucket}</c>, the bucket written as the
/// alert's <see cref="DeliveryLayout"/> writes it: one hex digit (<c>0</c>–<c>f</c>) in the 16-bucket layout every alert
/// stored before layouts has, two (<c>00</c>, <c>04</c> … <c>fc</c>; <c>00</c>–<c>ff</c>) in the 64- and 256-bucket layouts. A
/// bucket is the top bits of the row's recipient hash, so any row's partition follows from its key and its alert's
/// layout (<see cref="DeliveryLayouts"/>). Every bucket's hashes share their first hex digit, so the partitions of one
/// first digit lie in the key range <c>[{alertId}~{d}, {alertId}~{d+1})</c> (<see cref="DigitRange"/>) in every layout:
/// reports and pages read the alert as 16 such ranges whatever its layout. <b>Never change a layout's bucket function
/// or an alert's recorded layout once rows exist</b>: stored rows would no longer be found (docs/storage.md).
/// </summary>
public static class DeliveryPartitions
{
    /// <summary>16: the key ranges (first hex digits) an alert's rows are read by, in every layout.</summary>
    public const int BucketCount = DeliveryBuckets.Count;

    /// <summary>The bucket (0–15) of a recipient in the 16-bucket layout (<see cref="DeliveryBuckets.Of(RecipientHash)"/>).</summary>
    public static int Bucket(RecipientHash recipient) => DeliveryBuckets.Of(recipient);

    /// <summary>The PartitionKey of one bucket of an alert in the 16-bucket layout: <c>{alertId}~{bucket as one hex digit}</c>.</summary>
    public static string PartitionKey(AlertId alertId, int bucket) => PartitionKey(alertId, DeliveryLayout.Sixteen, bucket);

    /// <summary>The PartitionKey of one bucket of an alert of <paramref name="layout"/>: <c>{alertId}~{bucket suffix}</c>.</summary>
    public static string PartitionKey(AlertId alertId, DeliveryLayout layout, int bucket)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        ArgumentNullException.ThrowIfNull(layout);
        return EntityValues.Key(alertId.Value, layout.Suffix(bucket));
    }

    /// <summary>The PartitionKey of the row with this key, its alert having <paramref name="layout"/>.</summary>
    public static string PartitionKey(DeliveryKey key, DeliveryLayout layout)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(layout);
        return PartitionKey(key.AlertId, layout, layout.Of(key.Recipient));
    }

    /// <summary>
    /// A filter for the alert's partitions whose hashes start with hex digit <paramref name="digit"/> (0–15), in any
    /// layout: <c>PartitionKey ge '{alertId}~{d}' and PartitionKey lt '{alertId}~{d+1}'</c> (after <c>f</c>: <c>g</c>).
    /// In the 16-bucket layout that is exactly the partition <c>{alertId}~{d}</c>.
    /// </summary>
    public static string DigitRange(AlertId alertId, int digit)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        var low = EntityValues.Key(alertId.Value, DeliveryBuckets.Digit(digit).ToString());
        var high = EntityValues.Key(alertId.Value, digit == BucketCount - 1 ? "g" : DeliveryBuckets.Digit(digit + 1).ToString());
        return TableClient.CreateQueryFilter($"PartitionKey ge {low} and PartitionKey lt {high}");
    }

    /// <summary>Reads <c>{alertId}~{suffix}</c> back (the suffix of any layout: lowercase hex digits); false for anything else.</summary>
    public static bool TryParseAnyLayout(string? partitionKey, [NotNullWhen(true)] out AlertId? alertId, [NotNullWhen(true)] out string? suffix)
    {
        alertId = null;
        suffix = null;
        var separator = partitionKey?.IndexOf(EntityValues.KeySeparator, StringComparison.Ordinal) ?? -1;
        if (separator < 0 || !DeliveryLayout.All.Any(l => l.SuffixDigits == partitionKey!.Length - separator - 1)
            || partitionKey![(separator + 1)..].Any(c => DeliveryBuckets.HexValue(c) < 0)
            || !AlertId.TryParse(partitionKey[..separator], out var parsed, out _))
        {
            return false;
        }

        alertId = parsed;
        suffix = partitionKey[(separator + 1)..];
        return true;
    }

    /// <summary>Reads a 16-bucket partition key <c>{alertId}~{d}</c> back (page tokens name the digit ranges so).</summary>
    public static bool TryParsePartitionKey(string? partitionKey, [NotNullWhen(true)] out AlertId? alertId, out int bucket)
    {
        bucket = -1;
        if (!TryParseAnyLayout(partitionKey, out alertId, out string? suffix) || !DeliveryLayout.Sixteen.TryParseSuffix(suffix, out bucket))
        {
            alertId = null;
            return false;
        }

        return true;
    }

    /// <summary>Whether a row of <paramref name="recipient"/> may be stored under <paramref name="suffix"/>: it is the
    /// recipient's bucket in a layout with suffixes of that length (a check of stored rows, e.g. in a whole-table scan,
    /// that needs no look-up of the alert's layout).</summary>
    public static bool SuffixFits(string suffix, RecipientHash recipient) =>
        DeliveryLayout.All.Any(l => l.SuffixDigits == suffix.Length && l.Suffix(l.Of(recipient)) == suffix);
}

/// <summary>
/// Where <see cref="DeliveryRepository.GetPageAsync"/> resumes: the alert (so a token of one alert cannot be replayed
/// against another), the first-digit range (<see cref="DeliveryPartitions.DigitRange"/>; in the 16-bucket layout the
/// bucket itself), and the table query's own continuation token within that range (none: the range's start). Opaque to
/// callers: base64url of <c>d1|{alertId}~{digit}|{tableToken}</c> — the same as before layouts, so tokens issued then
/// stay valid.
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

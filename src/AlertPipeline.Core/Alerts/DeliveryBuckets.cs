namespace AlertPipeline.Core.Alerts;

/// <summary>
/// How an alert's deliveries are spread over storage partitions and dispatch batches: the bucket of a recipient is the
/// value of its hash's first hexadecimal digit (0–15, <see cref="Count"/> buckets). The recipient hash is part of every
/// delivery key, so any row's bucket follows from its key alone. <b>Never change <see cref="Count"/> or <see cref="Of"/>
/// once rows exist</b>: stored rows would no longer be found (docs/storage.md).
/// </summary>
public static class DeliveryBuckets
{
    /// <summary>16 buckets: one per first hex digit of the recipient hash.</summary>
    public const int Count = 16;

    /// <summary>The bucket (0–15) of a recipient: the value of its hash's first hex digit.</summary>
    public static int Of(RecipientHash recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        return HexValue(recipient.Value[0]);
    }

    /// <summary>The bucket of a delivery: its recipient's.</summary>
    public static int Of(DeliveryKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Of(key.Recipient);
    }

    /// <summary>The bucket as one lowercase hex digit (<c>0</c>–<c>f</c>).</summary>
    public static char Digit(int bucket)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bucket, Count);
        return "0123456789abcdef"[bucket];
    }

    /// <summary>The value of one lowercase hex digit, or -1 for anything else (an upper-case digit included).</summary>
    public static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };
}

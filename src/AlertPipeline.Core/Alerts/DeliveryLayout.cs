namespace AlertPipeline.Core.Alerts;

/// <summary>
/// How ONE alert's deliveries are spread over storage partitions and dispatch batches: into 16, 64 or 256 buckets, the
/// bucket of a recipient being the top 4, 6 or 8 bits of its hash (so its first one or two hexadecimal digits). Chosen
/// once per alert at fan-out (<see cref="ForRows"/>), recorded on the alert before any of its deliveries exists, and
/// never changed: any row's bucket then follows from its key and its alert's layout. An alert recorded without a
/// layout is <see cref="Sixteen"/>, the layout every alert had before layouts existed (<see cref="DeliveryBuckets"/>).
/// Every bucket of a wider layout lies inside one bucket of <see cref="Sixteen"/> (<see cref="FirstDigitOf"/>): its
/// hashes share their first hex digit.
/// </summary>
public sealed class DeliveryLayout : IEquatable<DeliveryLayout>
{
    /// <summary>Rows per partition a layout is chosen to stay under (<see cref="ForRows"/>): small enough that an insert
    /// into a grown partition stays cheap on Azurite, as large as possible so a 1,000-contact page still fills transactions
    /// and dispatch batches.</summary>
    public const int TargetRowsPerPartition = 2_000;

    private readonly int _bits;

    private DeliveryLayout(int bits) => _bits = bits;

    /// <summary>16 buckets: the hash's first hex digit (PK suffix <c>0</c>–<c>f</c>). Every alert stored without a layout.</summary>
    public static DeliveryLayout Sixteen { get; } = new(4);

    /// <summary>64 buckets: the top 6 bits of the hash (PK suffix <c>00</c>, <c>04</c>, … <c>fc</c>: the first two hex digits
    /// of the bucket's lowest hash).</summary>
    public static DeliveryLayout SixtyFour { get; } = new(6);

    /// <summary>256 buckets: the hash's first two hex digits (PK suffix <c>00</c>–<c>ff</c>).</summary>
    public static DeliveryLayout TwoHundredFiftySix { get; } = new(8);

    /// <summary>Every layout, narrowest first.</summary>
    public static IReadOnlyList<DeliveryLayout> All { get; } = [Sixteen, SixtyFour, TwoHundredFiftySix];

    /// <summary>The number of buckets (16, 64 or 256): what the Alerts row and a dispatch message record.</summary>
    public int Buckets => 1 << _bits;

    /// <summary>Hex digits of a bucket in a partition key: 1 for <see cref="Sixteen"/>, 2 otherwise.</summary>
    public int SuffixDigits => _bits <= 4 ? 1 : 2;

    /// <summary>The layout recorded as <paramref name="buckets"/>; null (nothing recorded) is <see cref="Sixteen"/>.</summary>
    public static bool TryFromBuckets(int? buckets, out DeliveryLayout layout)
    {
        layout = buckets is null ? Sixteen : All.FirstOrDefault(l => l.Buckets == buckets)!;
        return layout is not null;
    }

    /// <summary>As <see cref="TryFromBuckets"/>; throws naming the allowed values.</summary>
    public static DeliveryLayout FromBuckets(int? buckets) =>
        TryFromBuckets(buckets, out var layout) ? layout
            : throw new ArgumentOutOfRangeException(nameof(buckets), buckets, $"A delivery layout has {string.Join(", ", All.Select(l => l.Buckets))} buckets.");

    /// <summary>
    /// The narrowest layout whose partitions stay under <see cref="TargetRowsPerPartition"/> rows for an alert of
    /// <paramref name="rows"/> rows (contacts × channels), else the widest: up to 32,000 rows 16 buckets, up to 128,000
    /// rows 64, beyond 256.
    /// </summary>
    public static DeliveryLayout ForRows(long rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        return All.FirstOrDefault(l => rows <= (long)l.Buckets * TargetRowsPerPartition) ?? All[^1];
    }

    /// <summary>The most rows the narrowest layouts take (<see cref="ForRows"/>): counting an audience can stop past it.</summary>
    public static long WidestThreshold => (long)All[^2].Buckets * TargetRowsPerPartition;

    /// <summary>The bucket (0 to <see cref="Buckets"/> − 1) of a recipient: the top bits of its hash.</summary>
    public int Of(RecipientHash recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var value = DeliveryBuckets.HexValue(recipient.Value[0]);
        if (SuffixDigits == 2)
        {
            value = (value * 16) + DeliveryBuckets.HexValue(recipient.Value[1]);
        }

        return value >> ((SuffixDigits * 4) - _bits);
    }

    /// <summary>The bucket of a delivery: its recipient's.</summary>
    public int Of(DeliveryKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Of(key.Recipient);
    }

    /// <summary>
    /// The bucket as <see cref="SuffixDigits"/> lowercase hex digits — the first digits of the bucket's lowest hash (so
    /// a suffix starts with the first hex digit all its hashes share, and an alert's partitions of one first digit are
    /// one key range in every layout): the partition key's suffix and the dispatch id's part. 16 buckets: <c>0</c>–<c>f</c>;
    /// 64: <c>00</c>, <c>04</c>, … <c>fc</c>; 256: <c>00</c>–<c>ff</c>.
    /// </summary>
    public string Suffix(int bucket)
    {
        CheckBucket(bucket);
        var value = bucket << ((SuffixDigits * 4) - _bits);
        return SuffixDigits == 1 ? DeliveryBuckets.Digit(value).ToString() : value.ToString("x2", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Reads a suffix of this layout back; false for anything else (wrong length, upper case, not a bucket's start).</summary>
    public bool TryParseSuffix(string? suffix, out int bucket)
    {
        bucket = -1;
        if (suffix is null || suffix.Length != SuffixDigits || suffix.Any(c => DeliveryBuckets.HexValue(c) < 0))
        {
            return false;
        }

        var value = suffix.Aggregate(0, (v, c) => (v * 16) + DeliveryBuckets.HexValue(c));
        var unused = (SuffixDigits * 4) - _bits;
        if ((value & ((1 << unused) - 1)) != 0)
        {
            return false;
        }

        bucket = value >> unused;
        return true;
    }

    /// <summary>The <see cref="Sixteen"/> bucket (the first hex digit) every hash of <paramref name="bucket"/> shares.</summary>
    public int FirstDigitOf(int bucket)
    {
        CheckBucket(bucket);
        return bucket >> (_bits - 4);
    }

    /// <summary>Whether <paramref name="bucket"/> is one of this layout's (0 to <see cref="Buckets"/> − 1).</summary>
    public bool Contains(int bucket) => bucket >= 0 && bucket < Buckets;

    public bool Equals(DeliveryLayout? other) => other is not null && other._bits == _bits;

    public override bool Equals(object? obj) => Equals(obj as DeliveryLayout);

    public override int GetHashCode() => _bits;

    public override string ToString() => $"{Buckets} buckets";

    public static bool operator ==(DeliveryLayout? left, DeliveryLayout? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(DeliveryLayout? left, DeliveryLayout? right) => !(left == right);

    private void CheckBucket(int bucket)
    {
        if (!Contains(bucket))
        {
            throw new ArgumentOutOfRangeException(nameof(bucket), bucket, $"A bucket of the {Buckets}-bucket layout is 0 to {Buckets - 1}.");
        }
    }
}

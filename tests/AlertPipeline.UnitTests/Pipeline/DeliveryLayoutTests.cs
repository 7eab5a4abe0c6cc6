using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;

namespace AlertPipeline.UnitTests.Pipeline;

/// <summary>The partition layout of an alert's deliveries (<see cref="DeliveryLayout"/>), and dispatch batches in each layout.</summary>
public sealed class DeliveryLayoutTests
{
    private static readonly AlertId Alert = AlertId.Parse("75774197e5449172989a88db2b6df47f");

    private static RecipientHash Hash(string prefix) => RecipientHash.Parse(prefix + new string('0', RecipientHash.Length - prefix.Length));

    [Theory]
    [InlineData(16, "c7", 0xc)]
    [InlineData(64, "c7", 0x31)] // the top 6 bits of 0xc7
    [InlineData(256, "c7", 0xc7)]
    [InlineData(64, "00", 0)]
    [InlineData(64, "ff", 63)]
    [InlineData(256, "ff", 255)]
    public void Of_IsTheTopBitsOfTheHash(int buckets, string prefix, int bucket) =>
        DeliveryLayout.FromBuckets(buckets).Of(Hash(prefix)).Should().Be(bucket);

    [Fact]
    public void Sixteen_IsTheBucketEveryAlertHadBeforeLayouts()
    {
        foreach (var digit in "0123456789abcdef")
        {
            var hash = Hash(digit + "9");
            DeliveryLayout.Sixteen.Of(hash).Should().Be(DeliveryBuckets.Of(hash));
            DeliveryLayout.Sixteen.Suffix(DeliveryLayout.Sixteen.Of(hash)).Should().Be(digit.ToString());
        }
    }

    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(256)]
    public void EveryBucket_LiesInsideOneFirstDigit_AndItsSuffixRoundTrips(int buckets)
    {
        var layout = DeliveryLayout.FromBuckets(buckets);
        var hasher = RecipientHasher.FromBase64(Infrastructure.Persistence.RecipientHashKey.DevelopmentKey);
        var hashes = Enumerable.Range(0, 4000).Select(i => hasher.Hash(PhoneNumber.Parse($"+1212555{i:D4}"))).ToList();

        hashes.Should().OnlyContain(h => layout.FirstDigitOf(layout.Of(h)) == DeliveryBuckets.Of(h), "a bucket never spans two first digits");
        hashes.Select(layout.Of).Distinct().Should().HaveCount(buckets, "HMAC hashes reach every bucket");
        for (var bucket = 0; bucket < buckets; bucket++)
        {
            layout.TryParseSuffix(layout.Suffix(bucket), out var parsed).Should().BeTrue();
            parsed.Should().Be(bucket);
            layout.Suffix(bucket).Should().HaveLength(layout.SuffixDigits).And.MatchRegex("^[0-9a-f]+$");
            DeliveryBuckets.HexValue(layout.Suffix(bucket)[0]).Should().Be(layout.FirstDigitOf(bucket), "a suffix starts with its hashes' first digit");
        }
    }

    [Theory]
    [InlineData(16, "10")]
    [InlineData(64, "41")] // not the start of a bucket (64 buckets are 4 two-digit prefixes wide)
    [InlineData(64, "3f")]
    [InlineData(64, "3")]
    [InlineData(256, "FF")]
    [InlineData(256, "0g")]
    public void TryParseSuffix_NotThisLayouts_IsFalse(int buckets, string suffix) =>
        DeliveryLayout.FromBuckets(buckets).TryParseSuffix(suffix, out _).Should().BeFalse();

    [Fact]
    public void FromBuckets_Absent_IsSixteen_AndAnythingElseIsRefused()
    {
        DeliveryLayout.FromBuckets(null).Should().Be(DeliveryLayout.Sixteen, "an alert stored without a layout has 16 buckets");
        DeliveryLayout.TryFromBuckets(32, out _).Should().BeFalse();
        DeliveryLayout.TryFromBuckets(0, out _).Should().BeFalse();
        FluentActions.Invoking(() => DeliveryLayout.FromBuckets(128)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*16, 64, 256*");
    }

    [Theory]
    [InlineData(0, 16)]
    [InlineData(2_000, 16)]
    [InlineData(32_000, 16)]
    [InlineData(32_001, 64)]
    [InlineData(100_000, 64)]
    [InlineData(128_000, 64)]
    [InlineData(128_001, 256)]
    [InlineData(1_000_000, 256)]
    [InlineData(50_000_000, 256)]
    public void ForRows_KeepsPartitionsNearTheTarget(long rows, int buckets)
    {
        DeliveryLayout.ForRows(rows).Buckets.Should().Be(buckets);
        DeliveryLayout.WidestThreshold.Should().Be(128_000);
    }

    [Fact]
    public void DispatchBatches_OfAWideLayoutAlert_HoldOneFirstDigit_SoSeveralOfItsPartitions()
    {
        var hasher = RecipientHasher.FromBase64(Infrastructure.Persistence.RecipientHashKey.DevelopmentKey);
        var keys = Enumerable.Range(0, 1000).Select(i => new DeliveryKey(Alert, Channel.Sms, hasher.Hash(PhoneNumber.Parse($"+1212555{i:D4}")))).ToList();

        var batches = DispatchBatch.Split(keys, 50);

        batches.Should().OnlyContain(b => b.Recipients.Count <= 50 && b.Recipients.All(r => DeliveryBuckets.Of(r) == b.Bucket));
        batches.Should().HaveCountLessThan(40, "1,000 rows over 16 first digits: batches of up to 50, not one per 64- or 256-bucket partition");
        batches.Should().Contain(b => b.Recipients.Select(DeliveryLayout.TwoHundredFiftySix.Of).Distinct().Count() > 4, "a batch spans several partitions of the wide layouts");
        batches.Should().OnlyContain(b => b.Recipients.Select(DeliveryLayout.SixtyFour.Of).All(p => DeliveryLayout.SixtyFour.FirstDigitOf(p) == b.Bucket));
    }
}

using System.Text.Json;
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
    public void DispatchBatch_WideLayout_CarriesItThroughJsonAndIntoTheId()
    {
        var layout = DeliveryLayout.TwoHundredFiftySix;
        var batch = new DispatchBatch(Alert, Channel.Sms, 0xc7, [Hash("c7"), Hash("c71")], null, null, layout);

        var json = JsonSerializer.Serialize(batch.ToMessage(), JsonSerializerOptions.Web);
        JsonSerializer.Deserialize<DispatchBatchMessage>(json, JsonSerializerOptions.Web)!.TryParse(out var back, out var error).Should().BeTrue(error);

        back.Should().Be(batch);
        back!.Layout.Should().Be(layout);
        json.Should().Contain("\"buckets\":256").And.Contain("\"bucket\":199");
        batch.DispatchId.Should().StartWith($"{Alert}-sms-c7-").And.MatchRegex("^[a-z0-9-]{1,128}$");
    }

    [Fact]
    public void DispatchBatch_SameRowsInAnotherLayout_HaveAnotherId()
    {
        var wide = new DispatchBatch(Alert, Channel.Sms, 0x0c, [Hash("0c")], null, null, DeliveryLayout.TwoHundredFiftySix);
        var narrow = new DispatchBatch(Alert, Channel.Sms, 0, [Hash("0c")], null, null);

        wide.DispatchId.Should().NotBe(narrow.DispatchId);
        wide.Should().NotBe(narrow);
    }

    [Fact]
    public void DispatchMessage_WithoutBuckets_IsTheSixteenBucketLayout()
    {
        // A message written before layouts existed: no "buckets" field.
        const string json = """{"alertId":"75774197e5449172989a88db2b6df47f","channel":"sms","bucket":12,"recipients":["c7000000000000000000000000000000"],"notBefore":null,"traceParent":null}""";

        JsonSerializer.Deserialize<DispatchBatchMessage>(json, JsonSerializerOptions.Web)!.TryParse(out var batch, out var error).Should().BeTrue(error);

        batch!.Layout.Should().Be(DeliveryLayout.Sixteen);
        batch.DispatchId.Should().StartWith($"{Alert}-sms-c-", "the 16-bucket id is unchanged");
        JsonSerializer.Serialize(batch.ToMessage(), JsonSerializerOptions.Web).Should().NotContain("buckets", "16-bucket messages are written as before");
    }

    [Theory]
    [InlineData("""{"alertId":"75774197e5449172989a88db2b6df47f","channel":"sms","bucket":199,"recipients":["c7000000000000000000000000000000"]}""", "bucket must be between 0 and 15")]
    [InlineData("""{"alertId":"75774197e5449172989a88db2b6df47f","channel":"sms","bucket":12,"recipients":["c7000000000000000000000000000000"],"buckets":256}""", "recipients[0] is not in bucket 12 of the 256-bucket layout")]
    [InlineData("""{"alertId":"75774197e5449172989a88db2b6df47f","channel":"sms","bucket":64,"recipients":["c7000000000000000000000000000000"],"buckets":64}""", "bucket must be between 0 and 63")]
    [InlineData("""{"alertId":"75774197e5449172989a88db2b6df47f","channel":"sms","bucket":1,"recipients":["c7000000000000000000000000000000"],"buckets":32}""", "buckets must be 16, 64, 256")]
    public void DispatchMessage_BucketNotOfItsLayout_NamesTheField(string json, string named)
    {
        JsonSerializer.Deserialize<DispatchBatchMessage>(json, JsonSerializerOptions.Web)!.TryParse(out _, out var error).Should().BeFalse();

        error.Should().Contain(named).And.NotContain("c7000000000000000000000000000000");
    }

    [Fact]
    public void Split_FollowsEachAlertsLayout()
    {
        var other = AlertId.Parse("00000000000000000000000000000001");
        var hasher = RecipientHasher.FromBase64(Infrastructure.Persistence.RecipientHashKey.DevelopmentKey);
        var hashes = Enumerable.Range(0, 1000).Select(i => hasher.Hash(PhoneNumber.Parse($"+1212555{i:D4}"))).ToList();
        var keys = hashes.Select(h => new DeliveryKey(Alert, Channel.Sms, h)).Concat(hashes.Select(h => new DeliveryKey(other, Channel.Sms, h))).ToList();

        var batches = DispatchBatch.Split(keys, 50, layoutOf: id => id == Alert ? DeliveryLayout.SixtyFour : DeliveryLayout.Sixteen);

        batches.Where(b => b.AlertId == Alert).Should().OnlyContain(b => b.Layout == DeliveryLayout.SixtyFour && b.Recipients.All(r => DeliveryLayout.SixtyFour.Of(r) == b.Bucket));
        batches.Where(b => b.AlertId == Alert).Select(b => b.Bucket).Distinct().Should().HaveCount(64);
        batches.Where(b => b.AlertId == other).Should().OnlyContain(b => b.Layout == DeliveryLayout.Sixteen).And.OnlyContain(b => b.Recipients.Count <= 50);
        batches.Where(b => b.AlertId == other).Select(b => b.Bucket).Distinct().Should().HaveCount(16);
        batches.Sum(b => b.Recipients.Count).Should().Be(2000);
        DispatchBatch.Split(keys.Take(1000), 50).Should().OnlyContain(b => b.Layout == DeliveryLayout.Sixteen, "no layout given: 16 buckets");
    }
}

using System.Buffers.Text;
using System.Text;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Persistence;

namespace AlertPipeline.UnitTests.Persistence;

public sealed class DeliveryPartitionsTests
{
    private static readonly AlertId Alert = AlertId.Parse("75774197e5449172989a88db2b6df47f");
    private static readonly AlertId OtherAlert = AlertId.Parse("00000000000000000000000000000001");

    private static RecipientHash Hash(char first) => RecipientHash.Parse(first + new string('7', RecipientHash.Length - 1));

    [Theory]
    [InlineData('0', 0)]
    [InlineData('9', 9)]
    [InlineData('a', 10)]
    [InlineData('f', 15)]
    public void Bucket_IsTheValueOfTheHashsFirstHexDigit(char first, int bucket) =>
        DeliveryPartitions.Bucket(Hash(first)).Should().Be(bucket);

    [Fact]
    public void Bucket_ManyHashes_UsesEveryBucketAndNoOther()
    {
        var hasher = RecipientHasher.FromBase64(RecipientHashKey.DevelopmentKey);

        var buckets = Enumerable.Range(0, 2000)
            .Select(i => DeliveryPartitions.Bucket(hasher.Hash(PhoneNumber.Parse($"+1212555{i:D4}"))))
            .ToList();

        buckets.Distinct().Order().Should().Equal(Enumerable.Range(0, DeliveryPartitions.BucketCount));
        buckets.GroupBy(b => b).Should().OnlyContain(g => g.Count() > 2000 / DeliveryPartitions.BucketCount / 2, "HMAC output spreads rows evenly");
    }

    [Fact]
    public void PartitionKey_OfAKey_IsTheAlertAndTheHashsFirstDigit()
    {
        var key = new DeliveryKey(Alert, Channel.Sms, Hash('c'));

        DeliveryPartitions.PartitionKey(key, DeliveryLayout.Sixteen).Should().Be("75774197e5449172989a88db2b6df47f~c");
        DeliveryPartitions.PartitionKey(new DeliveryKey(Alert, Channel.Email, Hash('c')), DeliveryLayout.Sixteen)
            .Should().Be(DeliveryPartitions.PartitionKey(key, DeliveryLayout.Sixteen), "both channels of a person share the partition");
    }

    [Theory]
    [InlineData(16, "75774197e5449172989a88db2b6df47f~c")]
    [InlineData(64, "75774197e5449172989a88db2b6df47f~c4")] // bucket 0x31 (the top 6 bits of 0xc7), written as its lowest hash's first digits
    [InlineData(256, "75774197e5449172989a88db2b6df47f~c7")]
    public void PartitionKey_InEachLayout_IsTheAlertAndTheBucketSuffix(int buckets, string expected)
    {
        var hash = RecipientHash.Parse("c7" + new string('0', RecipientHash.Length - 2));
        var key = new DeliveryKey(Alert, Channel.Sms, hash);

        DeliveryPartitions.PartitionKey(key, DeliveryLayout.FromBuckets(buckets)).Should().Be(expected);
        DeliveryPartitions.PartitionKey(new DeliveryKey(Alert, Channel.Email, hash), DeliveryLayout.FromBuckets(buckets))
            .Should().Be(expected, "both channels of a person share the partition in every layout");
    }

    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(256)]
    public void DigitRange_HoldsExactlyTheAlertsPartitionsOfThatFirstDigit(int buckets)
    {
        var layout = DeliveryLayout.FromBuckets(buckets);
        var partitions = Enumerable.Range(0, layout.Buckets).Select(b => (Bucket: b, Key: DeliveryPartitions.PartitionKey(Alert, layout, b))).ToList();

        for (var digit = 0; digit < DeliveryPartitions.BucketCount; digit++)
        {
            var (low, high) = Bounds(DeliveryPartitions.DigitRange(Alert, digit));
            var inside = partitions.Where(p => string.CompareOrdinal(p.Key, low) >= 0 && string.CompareOrdinal(p.Key, high) < 0).Select(p => p.Bucket).ToList();
            inside.Should().Equal(Enumerable.Range(0, layout.Buckets).Where(b => layout.FirstDigitOf(b) == digit), $"range {digit} of the {buckets}-bucket layout");
        }

        var (_, last) = Bounds(DeliveryPartitions.DigitRange(Alert, 15));
        string.CompareOrdinal(DeliveryPartitions.PartitionKey(OtherAlert, layout, 0), Bounds(DeliveryPartitions.DigitRange(Alert, 0)).Low).Should().BeNegative("another alert's rows are outside");
        last.Should().Be(Alert.Value + "~g");
    }

    [Fact]
    public void DigitRange_InTheSixteenBucketLayout_IsThatOnePartition()
    {
        var (low, high) = Bounds(DeliveryPartitions.DigitRange(Alert, 9));

        low.Should().Be(DeliveryPartitions.PartitionKey(Alert, 9));
        high.Should().Be(DeliveryPartitions.PartitionKey(Alert, 10), "'9' < 'a' with nothing between them in a partition key");
    }

    [Theory]
    [InlineData("75774197e5449172989a88db2b6df47f~c", "c")]
    [InlineData("75774197e5449172989a88db2b6df47f~3c", "3c")]
    [InlineData("75774197e5449172989a88db2b6df47f~ff", "ff")]
    public void TryParseAnyLayout_ReadsTheSuffix(string partitionKey, string suffix)
    {
        DeliveryPartitions.TryParseAnyLayout(partitionKey, out var alert, out var parsed).Should().BeTrue();
        alert.Should().Be(Alert);
        parsed.Should().Be(suffix);
    }

    [Theory]
    [InlineData("75774197e5449172989a88db2b6df47f~")]
    [InlineData("75774197e5449172989a88db2b6df47f~FF")]
    [InlineData("75774197e5449172989a88db2b6df47f~100")]
    [InlineData("75774197e5449172989a88db2b6df47f~g0")]
    public void TryParseAnyLayout_NoLayoutsSuffix_IsFalse(string partitionKey) =>
        DeliveryPartitions.TryParseAnyLayout(partitionKey, out _, out _).Should().BeFalse();

    [Theory]
    [InlineData("c", true)]
    [InlineData("c7", true)]
    [InlineData("c4", true)] // 64 buckets: bucket 0x31 starts at c4
    [InlineData("31", false)]
    [InlineData("c5", false)]
    [InlineData("d", false)]
    [InlineData("c8", false)]
    public void SuffixFits_OnlyTheRecipientsBucketInSomeLayout(string suffix, bool fits) =>
        DeliveryPartitions.SuffixFits(suffix, RecipientHash.Parse("c7" + new string('0', RecipientHash.Length - 2))).Should().Be(fits);

    private static (string Low, string High) Bounds(string filter)
    {
        var match = System.Text.RegularExpressions.Regex.Match(filter, "^PartitionKey ge '([^']*)' and PartitionKey lt '([^']*)'$");
        match.Success.Should().BeTrue(filter);
        return (match.Groups[1].Value, match.Groups[2].Value);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(16)]
    public void PartitionKey_BucketOutOfRange_Throws(int bucket) =>
        FluentActions.Invoking(() => DeliveryPartitions.PartitionKey(Alert, bucket)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(bucket));

    [Fact]
    public void TryParsePartitionKey_EveryBucket_RoundTrips()
    {
        for (var bucket = 0; bucket < DeliveryPartitions.BucketCount; bucket++)
        {
            DeliveryPartitions.TryParsePartitionKey(DeliveryPartitions.PartitionKey(Alert, bucket), out var alert, out var parsed).Should().BeTrue();
            alert.Should().Be(Alert);
            parsed.Should().Be(bucket);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("75774197e5449172989a88db2b6df47f")]
    [InlineData("75774197e5449172989a88db2b6df47f~")]
    [InlineData("75774197e5449172989a88db2b6df47f~A")]
    [InlineData("75774197e5449172989a88db2b6df47f~g")]
    [InlineData("75774197e5449172989a88db2b6df47f~10")]
    [InlineData("not-an-alert~a")]
    [InlineData("~a")]
    public void TryParsePartitionKey_NotAnAlertBucket_IsFalse(string? partitionKey) =>
        DeliveryPartitions.TryParsePartitionKey(partitionKey, out _, out _).Should().BeFalse();

    [Theory]
    [InlineData(0, null)]
    [InlineData(7, "dDF8cGsgcms")] // a GetPageAsync token: base64url of "t1|" and the SDK's "pk rk"
    [InlineData(15, "dDF8cGs")]
    public void PageToken_RoundTrips(int bucket, string? tableToken)
    {
        var token = new DeliveryPageToken(Alert, bucket, tableToken).Encode();

        DeliveryPageToken.Decode(token, Alert, "continuationToken").Should().Be(new DeliveryPageToken(Alert, bucket, tableToken));
        token.Should().NotContain(Alert.Value, "the token is opaque").And.MatchRegex("^[A-Za-z0-9_-]+$", "it is URL-safe");
    }

    [Fact]
    public void PageToken_OfAnotherAlert_IsRefused() =>
        FluentActions.Invoking(() => DeliveryPageToken.Decode(new DeliveryPageToken(OtherAlert, 3, null).Encode(), Alert, "continuationToken"))
            .Should().Throw<ArgumentException>().WithParameterName("continuationToken").WithMessage("*belongs to another alert*");

    [Theory]
    [InlineData("!!!", "*not base64url*")]
    [InlineData("", "*not a delivery page token*")]
    [InlineData("plain|text", "*not a delivery page token*")]
    [InlineData("d2|75774197e5449172989a88db2b6df47f~3|", "*not a delivery page token*")]
    [InlineData("d1|75774197e5449172989a88db2b6df47f~3", "*not a delivery page token*")]
    [InlineData("d1|75774197e5449172989a88db2b6df47f~g|", "*names no delivery partition*")]
    [InlineData("d1|75774197e5449172989a88db2b6df47f|", "*names no delivery partition*")]
    [InlineData("d1|75774197e5449172989a88db2b6df47f~3|x|y", "*not a delivery page token*")]
    public void PageToken_Garbage_IsRefusedNamingTheProblem(string content, string message)
    {
        var token = content == "!!!" ? content : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(content));

        FluentActions.Invoking(() => DeliveryPageToken.Decode(token, Alert, "continuationToken"))
            .Should().Throw<ArgumentException>().WithParameterName("continuationToken").WithMessage(message);
    }
}

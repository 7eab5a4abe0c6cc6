using System.Text.Json;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using NodaTime;

namespace AlertPipeline.UnitTests.Pipeline;

public sealed class DispatchBatchTests
{
    private static readonly AlertId Alert = AlertId.Parse("75774197e5449172989a88db2b6df47f");
    private static readonly RecipientHash A = RecipientHash.Parse("3" + new string('0', 31));
    private static readonly RecipientHash B = RecipientHash.Parse("3" + new string('1', 31));
    private static readonly RecipientHash C = RecipientHash.Parse("3abc" + new string('0', 28));

    [Fact]
    public void DispatchId_KnownRecipients_GivesThePinnedValue()
    {
        // sha256("3000…\n3111…\n3abc…") (sorted, '\n'-joined)[..20 hex], computed independently (Python hashlib).
        var batch = new DispatchBatch(Alert, Channel.Sms, 3, [C, A, B], null, null);

        batch.DispatchId.Should().Be("75774197e5449172989a88db2b6df47f-sms-3-1da7ab6d630597e08615");
        batch.DispatchId.Should().MatchRegex("^[a-z0-9-]{1,128}$");
    }

    [Fact]
    public void DispatchId_SameRowsInAnotherOrderOrTime_IsTheSame()
    {
        var first = new DispatchBatch(Alert, Channel.Email, 3, [A, B, C], null, null);
        var again = new DispatchBatch(Alert, Channel.Email, 3, [C, B, A], Instant.FromUtc(2026, 1, 2, 8, 0), "00-abc-def-01");

        again.DispatchId.Should().Be(first.DispatchId);
        new DispatchBatch(Alert, Channel.Email, 3, [A, B], null, null).DispatchId.Should().NotBe(first.DispatchId);
        new DispatchBatch(Alert, Channel.Sms, 3, [A, B, C], null, null).DispatchId.Should().NotBe(first.DispatchId);
    }

    [Fact]
    public void ToMessage_ThenParse_RoundTripsThroughJson()
    {
        var batch = new DispatchBatch(Alert, Channel.Sms, 3, [A, C], Instant.FromUtc(2026, 1, 2, 8, 0), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        var json = JsonSerializer.Serialize(batch.ToMessage(), JsonSerializerOptions.Web);
        var parsed = JsonSerializer.Deserialize<DispatchBatchMessage>(json, JsonSerializerOptions.Web)!.TryParse(out var back, out var error);

        parsed.Should().BeTrue(error);
        back.Should().Be(batch);
        back!.DispatchId.Should().Be(batch.DispatchId);
        back.Keys.Select(k => k.Value).Should().Equal($"{Alert}-sms-{A}", $"{Alert}-sms-{C}");
        json.Should().Contain("\"notBefore\":\"2026-01-02T08:00:00Z\"");
        using var document = JsonDocument.Parse(json);
        document.RootElement.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["alertId", "channel", "bucket", "recipients", "notBefore", "traceParent"]);
    }

    [Theory]
    [InlineData("""{"alertId":"nope","channel":"sms","bucket":3,"recipients":["30000000000000000000000000000000"]}""", "alertId")]
    [InlineData("""{"channel":"sms","bucket":3,"recipients":["30000000000000000000000000000000"]}""", "alertId")]
    [InlineData("""{"alertId":"75774197e5449172989a88db2b6df47f","channel":"fax","bucket":3,"recipients":["30000000000000000000000000000000"]}""", "channel")]
    [InlineData("""{"alertId":"75774197e5449172989a88db2b6df47f","channel":"sms","bucket":16,"recipients":["30000000000000000000000000000000"]}""", "bucket")]
    [InlineData("""{"alertId":"75774197e5449172989a88db2b6df47f","channel":"sms","bucket":3,"recipients":[]}""", "recipients must hold 1 to 100")]
    [InlineData("""{"alertId":"75774197e5449172989a88db2b6df47f","channel":"sms","bucket":3}""", "recipients must hold 1 to 100")]
    [InlineData("""{"alertId":"75774197e5449172989a88db2b6df47f","channel":"sms","bucket":3,"recipients":["30000000000000000000000000000000","+447700900123"]}""", "recipients[1] must be a recipient hash")]
    [InlineData("""{"alertId":"75774197e5449172989a88db2b6df47f","channel":"sms","bucket":3,"recipients":["40000000000000000000000000000000"]}""", "recipients[0] is not in bucket 3")]
    [InlineData("""{"alertId":"75774197e5449172989a88db2b6df47f","channel":"sms","bucket":3,"recipients":["30000000000000000000000000000000","30000000000000000000000000000000"]}""", "recipients[1] repeats")]
    [InlineData("""{"alertId":"75774197e5449172989a88db2b6df47f","channel":"sms","bucket":3,"recipients":["30000000000000000000000000000000"],"notBefore":"tomorrow"}""", "notBefore")]
    public void TryParse_Invalid_NamesTheField(string json, string named)
    {
        var message = JsonSerializer.Deserialize<DispatchBatchMessage>(json, JsonSerializerOptions.Web)!;

        message.TryParse(out var batch, out var error).Should().BeFalse();

        batch.Should().BeNull();
        error.Should().StartWith("dispatch message: ").And.Contain(named);
        error.Should().NotContain("447700900123", "a malformed entry is never echoed");
    }

    [Fact]
    public void TryParse_TooManyRecipients_NamesTheLimit()
    {
        var recipients = Enumerable.Range(0, DispatchBatch.MaxRecipients + 1).Select(i => $"3{i:x31}").ToList();

        new DispatchBatchMessage(Alert.Value, "sms", 3, recipients, null, null).TryParse(out _, out var error).Should().BeFalse();

        error.Should().Contain("recipients must hold 1 to 100").And.Contain("101");
    }

    [Fact]
    public void Split_KeysOfSeveralBuckets_GivesBatchesOfOneBucketWithinTheSize()
    {
        var keys = Enumerable.Range(0, 40).Select(i => new DeliveryKey(Alert, Channel.Sms, RecipientHash.Parse($"{i % 2 + 1}{i:x31}"))).ToList();

        var batches = DispatchBatch.Split([.. keys, keys[0]], 7);

        batches.Should().HaveCount(6).And.OnlyContain(b => b.Recipients.Count <= 7);
        batches.Should().OnlyContain(b => b.Recipients.All(r => DeliveryBuckets.Of(r) == b.Bucket));
        batches.SelectMany(b => b.Keys).Should().BeEquivalentTo(keys);
    }

    [Fact]
    public void Constructor_RecipientOutsideTheBucket_Throws()
    {
        var act = () => new DispatchBatch(Alert, Channel.Sms, 4, [A], null, null);

        act.Should().Throw<ArgumentException>().WithMessage("*not in bucket 4*");
    }

    [Fact]
    public void DeliveryBuckets_FirstHexDigit_IsTheBucket()
    {
        DeliveryBuckets.Of(C).Should().Be(3);
        DeliveryBuckets.Of(RecipientHash.Parse("f" + new string('0', 31))).Should().Be(15);
        DeliveryBuckets.Digit(10).Should().Be('a');
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(4, 80)]
    [InlineData(9, 300)]
    public void Backoff_DoublesUpToFiveMinutes(int deliveryCount, int seconds) =>
        DispatchBatchHandler.Backoff(deliveryCount).Should().Be(TimeSpan.FromSeconds(seconds));
}

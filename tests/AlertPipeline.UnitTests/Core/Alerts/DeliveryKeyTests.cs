using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;

namespace AlertPipeline.UnitTests.Core.Alerts;

public class DeliveryKeyTests
{
    private static readonly AlertId Alert = AlertId.Parse("75774197e5449172989a88db2b6df47f");
    private static readonly RecipientHash Recipient = RecipientHash.Parse("9ce61c54a1f6a68d3408668783f41ae8");

    [Fact]
    public void Value_JoinsAlertChannelAndRecipient()
    {
        new DeliveryKey(Alert, Channel.Sms, Recipient).Value
            .Should().Be("75774197e5449172989a88db2b6df47f-sms-9ce61c54a1f6a68d3408668783f41ae8");
        new DeliveryKey(Alert, Channel.Email, Recipient).ToString()
            .Should().Be("75774197e5449172989a88db2b6df47f-email-9ce61c54a1f6a68d3408668783f41ae8");
    }

    [Fact]
    public void Value_IsSafeAsATableKey()
    {
        new DeliveryKey(Alert, Channel.Email, Recipient).Value.Should().MatchRegex("^[a-z0-9-]{1,100}$");
    }

    [Fact]
    public void Parse_RoundTrips()
    {
        var key = new DeliveryKey(Alert, Channel.Email, Recipient);

        DeliveryKey.Parse(key.Value).Should().Be(key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("75774197e5449172989a88db2b6df47f-sms")]
    [InlineData("75774197e5449172989a88db2b6df47f-fax-9ce61c54a1f6a68d3408668783f41ae8")]
    [InlineData("75774197e5449172989a88db2b6df47f-sms-+447700900123")]
    [InlineData("x-sms-9ce61c54a1f6a68d3408668783f41ae8")]
    public void TryParse_Malformed_Fails(string value)
    {
        DeliveryKey.TryParse(value, out var key, out var error).Should().BeFalse();

        key.Should().BeNull();
        error.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public void SamePersonInTwoBranches_GetsTheSameDeliveryKey()
    {
        var hasher = new RecipientHasher(new byte[32]);
        var inLondon = TestContacts.Contact() with { BranchId = BranchId.Parse("london") };
        var inLeeds = TestContacts.Contact() with { BranchId = BranchId.Parse("leeds"), ContactId = ContactId.Parse("c-2"), Phone = PhoneNumber.Parse("07700 900123", "GB") };

        new DeliveryKey(Alert, Channel.Sms, hasher.HashFor(inLondon, Channel.Sms)!)
            .Should().Be(new DeliveryKey(Alert, Channel.Sms, hasher.HashFor(inLeeds, Channel.Sms)!));
    }
}

using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;

namespace AlertPipeline.UnitTests.Core.Alerts;

public class RecipientHasherTests
{
    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private readonly RecipientHasher hasher = new(Key);

    [Fact]
    public void Hash_Phone_IsHmacSha256OfTelE164Truncated()
    {
        // HMAC-SHA256(key = 00..1f, "tel:+447700900123"), first 16 bytes, computed with Python's hmac module.
        hasher.Hash(PhoneNumber.Parse("07700 900123", "GB")).Value.Should().Be("9ce61c54a1f6a68d3408668783f41ae8");
    }

    [Fact]
    public void Hash_Email_IsHmacOfLowercasedMailto()
    {
        hasher.Hash(EmailAddress.Parse("Jane.Doe@Example.org")).Value.Should().Be("d3f4b9434597c9b7aa6665b4254e1ba5");
    }

    [Fact]
    public void Hash_SameNumberWrittenDifferently_IsTheSame()
    {
        hasher.Hash(PhoneNumber.Parse("8 701 123 4567", "KZ")).Should().Be(hasher.Hash(PhoneNumber.Parse("+7 701 123 45 67")));
    }

    [Fact]
    public void Hash_NeverContainsTheNumber()
    {
        var hash = hasher.Hash(PhoneNumber.Parse("+447700900123")).Value;

        hash.Should().NotContain("7700900123").And.MatchRegex("^[0-9a-f]{32}$");
    }

    [Fact]
    public void Hash_DifferentKey_GivesDifferentHash()
    {
        var other = new RecipientHasher(Enumerable.Repeat((byte)7, 32).ToArray());
        var number = PhoneNumber.Parse("+447700900123");

        other.Hash(number).Should().NotBe(hasher.Hash(number));
    }

    [Fact]
    public void Constructor_ShortKey_Throws()
    {
        var act = () => new RecipientHasher(new byte[31]);

        act.Should().Throw<ArgumentException>().WithMessage("*at least 32 bytes*");
    }

    [Fact]
    public void FromBase64_ReadsTheKey()
    {
        RecipientHasher.FromBase64(Convert.ToBase64String(Key)).Hash(PhoneNumber.Parse("+447700900123")).Value
            .Should().Be("9ce61c54a1f6a68d3408668783f41ae8");
    }

    [Fact]
    public void HashFor_Contact_UsesTheChannelsAddressOrNull()
    {
        var contact = TestContacts.Contact() with { Email = null };

        hasher.HashFor(contact, Channel.Sms).Should().Be(hasher.Hash(contact.Phone!));
        hasher.HashFor(contact, Channel.Email).Should().BeNull();
    }

    [Fact]
    public void ToString_DoesNotRevealTheKey()
    {
        hasher.ToString().Should().Be("RecipientHasher");
    }
}

using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;

namespace AlertPipeline.UnitTests.Core.Contacts;

public class IdsTests
{
    [Theory]
    [InlineData("kz-oil-workers")]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("branch-2011")]
    public void TryParse_LowercaseSlug_Succeeds(string value)
    {
        UnionId.TryParse(value, out var union).Should().BeTrue();
        BranchId.TryParse(value, out var branch).Should().BeTrue();
        ContactId.TryParse(value, out var contact).Should().BeTrue();
        CampaignId.TryParse(value, out var campaign).Should().BeTrue();

        union!.Value.Should().Be(value);
        branch!.ToString().Should().Be(value);
        contact!.Value.Should().Be(value);
        campaign!.Value.Should().Be(value);
    }

    [Theory]
    [InlineData(null, "*empty*")]
    [InlineData("", "*empty*")]
    [InlineData("Kz-Oil", "*'K' at position 0*")]
    [InlineData("a/b", "*'/' at position 1*")]
    [InlineData("a\\b", "*'\\' at position 1*")]
    [InlineData("a#b", "*'#'*")]
    [InlineData("a?b", "*'?'*")]
    [InlineData("a b", "*U+0020*")]
    [InlineData("a\u0001b", "*U+0001*")]
    [InlineData("a_b", "*'_'*")]
    [InlineData("жанаозен", "*'ж'*")]
    [InlineData("-abc", "*start and end*")]
    [InlineData("abc-", "*start and end*")]
    public void TryParse_UnsafeValue_FailsWithReason(string? value, string message)
    {
        UnionId.TryParse(value, out var id, out var error).Should().BeFalse();

        id.Should().BeNull();
        error.Should().Match(message);
    }

    [Fact]
    public void TryParse_Over64Characters_Fails()
    {
        ContactId.TryParse(new string('a', 64), out _).Should().BeTrue();
        ContactId.TryParse(new string('a', 65), out _, out var error).Should().BeFalse();

        error.Should().Contain("at most 64");
    }

    [Fact]
    public void Parse_Invalid_ThrowsFormatException()
    {
        var act = () => CampaignId.Parse("Bad Id");

        act.Should().Throw<FormatException>().WithMessage("campaign id*");
    }

    [Fact]
    public void Ids_OfDifferentTypesWithSameValue_AreNotEqual()
    {
        object union = UnionId.Parse("x");
        object branch = BranchId.Parse("x");

        union.Should().NotBe(branch);
        UnionId.Parse("x").Should().Be(UnionId.Parse("x"));
    }

    [Fact]
    public void IParsable_IsImplemented_ForRouteBinding()
    {
        static T ParseVia<T>(string s) where T : IParsable<T> => T.Parse(s, null);

        ParseVia<UnionId>("u1").Value.Should().Be("u1");
        ParseVia<EventId>("e1").Value.Should().Be("e1");
    }

    [Fact]
    public void EventId_AllowsUpTo100Characters()
    {
        EventId.TryParse(new string('e', 100), out _).Should().BeTrue();
        EventId.TryParse(new string('e', 101), out _).Should().BeFalse();
    }
}

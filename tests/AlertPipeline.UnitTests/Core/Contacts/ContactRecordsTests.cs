using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using NodaTime;

namespace AlertPipeline.UnitTests.Core.Contacts;

public class ContactRecordsTests
{
    [Fact]
    public void Contact_ToString_ShowsIdsButNoPersonalData()
    {
        var text = TestContacts.Contact().ToString();

        text.Should().Be("Contact { UnionId = uk-unite, BranchId = london, ContactId = c-1 }");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Ai\u0000gul")]
    public void Contact_InvalidName_Throws(string name)
    {
        var act = () => TestContacts.Contact() with { Name = name };

        act.Should().Throw<ArgumentException>().WithMessage("Name*");
    }

    [Fact]
    public void Contact_Name_IsTrimmed()
    {
        (TestContacts.Contact() with { Name = "  Aigul  " }).Name.Should().Be("Aigul");
    }

    [Fact]
    public void CannotReceive_EligibleContact_IsNull()
    {
        var contact = TestContacts.Contact();

        contact.CannotReceive(Channel.Sms).Should().BeNull();
        contact.CannotReceive(Channel.Email).Should().BeNull();
    }

    [Fact]
    public void CannotReceive_NoAddress_ComesFirst()
    {
        var contact = TestContacts.Contact() with { Phone = null, Consent = Consent.None };

        contact.CannotReceive(Channel.Sms).Should().Be(SkipReason.NoAddress);
    }

    [Fact]
    public void CannotReceive_OptedOut_WinsOverConsent()
    {
        var contact = TestContacts.Contact() with { OptOut = OptOutState.None.OptOut(Channel.Sms, Instant.FromUtc(2025, 1, 1, 0, 0)) };

        contact.CannotReceive(Channel.Sms).Should().Be(SkipReason.OptedOut);
        contact.CannotReceive(Channel.Email).Should().BeNull();
    }

    [Fact]
    public void CannotReceive_NoConsent_IsReported()
    {
        var contact = TestContacts.Contact() with { Consent = new Consent(Sms: false, Email: true) };

        contact.CannotReceive(Channel.Sms).Should().Be(SkipReason.NoConsent);
        contact.CannotReceive(Channel.Email).Should().BeNull();
    }

    [Fact]
    public void OptOutState_KeepsFirstOptOutTime_AndOptInClearsIt()
    {
        var first = Instant.FromUtc(2025, 1, 1, 0, 0);
        var state = OptOutState.None.OptOut(Channel.Sms, first).OptOut(Channel.Sms, first.PlusTicks(1));

        state.SmsOptedOutAt.Should().Be(first);
        state.IsOptedOut(Channel.Sms).Should().BeTrue();
        state.OptIn(Channel.Sms).Should().Be(OptOutState.None);
    }

    [Fact]
    public void Subscription_WholeUnion_CoversEveryBranchOfThatUnionOnly()
    {
        var subscription = new Subscription(CampaignId.Parse("zhanaozen"), UnionId.Parse("uk-unite"));

        subscription.IsWholeUnion.Should().BeTrue();
        subscription.Covers(UnionId.Parse("uk-unite"), BranchId.Parse("leeds")).Should().BeTrue();
        subscription.Covers(UnionId.Parse("kz-oil"), BranchId.Parse("leeds")).Should().BeFalse();
    }

    [Fact]
    public void Subscription_OneBranch_CoversThatBranchOnly()
    {
        var subscription = new Subscription(CampaignId.Parse("zhanaozen"), UnionId.Parse("uk-unite"), BranchId.Parse("london"));

        subscription.Covers(UnionId.Parse("uk-unite"), BranchId.Parse("london")).Should().BeTrue();
        subscription.Covers(UnionId.Parse("uk-unite"), BranchId.Parse("leeds")).Should().BeFalse();
        subscription.Covers(UnionId.Parse("kz-oil"), BranchId.Parse("london")).Should().BeFalse();
    }

    [Fact]
    public void Campaign_ValidatesItsTexts()
    {
        var campaign = new Campaign(CampaignId.Parse("zhanaozen"), "Zhanaozen solidarity", "help@example.org", LanguageTag.Parse("ru"));

        campaign.DefaultLanguage.Value.Should().Be("ru");
        var act = () => campaign with { HelpContact = " " };
        act.Should().Throw<ArgumentException>().WithMessage("HelpContact*");
    }

    [Fact]
    public void Records_RejectNullIds()
    {
        var act = () => new Branch(null!, BranchId.Parse("b"), "Branch");

        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Consent_ForAndWith_WorkPerChannel()
    {
        var consent = Consent.None.With(Channel.Email, true);

        consent.For(Channel.Email).Should().BeTrue();
        consent.For(Channel.Sms).Should().BeFalse();
    }
}

using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;

namespace AlertPipeline.UnitTests.Core.Contacts;

public class CampaignRulesTests
{
    private static readonly UnionId Owner = UnionId.Parse("kz-oil-workers");
    private static readonly UnionId Subscriber = UnionId.Parse("uk-energy-workers");
    private static readonly UnionId Outsider = UnionId.Parse("us-refinery-workers");
    private static readonly CampaignId CampaignId = CampaignId.Parse("justice-kz-oil-workers");

    private static Campaign Campaign(bool open = false, UnionId? owner = null) =>
        new(CampaignId, "Justice", "help@example.org", LanguageTag.English) { OwnerUnionId = owner ?? Owner, IsOpen = open };

    private static readonly Subscription[] Subscriptions =
        [new(CampaignId, Owner), new(CampaignId, Subscriber, BranchId.Parse("london")), new(CampaignId.Parse("another"), Outsider)];

    [Fact]
    public void RoleOf_OwnerSubscriberByABranchAndAUnionSubscribedOnlyElsewhere()
    {
        CampaignRules.RoleOf(Campaign(), Owner, Subscriptions).Should().Be(CampaignRole.Owner);
        CampaignRules.RoleOf(Campaign(), Owner, []).Should().Be(CampaignRole.Owner, "the owner need not subscribe to own the campaign");
        CampaignRules.RoleOf(Campaign(), Subscriber, Subscriptions).Should().Be(CampaignRole.Subscriber, "one branch's subscription is enough");
        CampaignRules.RoleOf(Campaign(), Outsider, Subscriptions).Should().Be(CampaignRole.None, "a subscription to another campaign does not count");
    }

    [Fact]
    public void RoleOf_CampaignWithoutOwner_NobodyIsOwner()
    {
        var unowned = new Campaign(CampaignId, "Justice", "help@example.org", LanguageTag.English);

        CampaignRules.RoleOf(unowned, Owner, Subscriptions).Should().Be(CampaignRole.Subscriber);
        CampaignRules.MayChangeSchedules(CampaignRules.RoleOf(unowned, Owner, Subscriptions)).Should().BeFalse();
    }

    [Theory]
    [InlineData(CampaignRole.Owner, true)]
    [InlineData(CampaignRole.Subscriber, false)]
    [InlineData(CampaignRole.None, false)]
    public void MayChangeSchedules_OnlyTheOwner(CampaignRole role, bool may) => CampaignRules.MayChangeSchedules(role).Should().Be(may);

    [Fact]
    public void MaySubscribe_NeedsOwnershipAnOpenCampaignAnApprovalOrAnExistingSubscription()
    {
        CampaignRules.MaySubscribe(Campaign(), Outsider, null, CampaignRole.None).Should().BeFalse("naming a campaign is not enough");
        CampaignRules.MaySubscribe(Campaign(), Outsider, MembershipState.Invited, CampaignRole.None).Should().BeFalse("an invitation must be accepted");
        CampaignRules.MaySubscribe(Campaign(), Outsider, MembershipState.Requested, CampaignRole.None).Should().BeFalse("a request must be approved");
        CampaignRules.MaySubscribe(Campaign(), Outsider, MembershipState.Approved, CampaignRole.None).Should().BeTrue();
        CampaignRules.MaySubscribe(Campaign(open: true), Outsider, null, CampaignRole.None).Should().BeTrue();
        CampaignRules.MaySubscribe(Campaign(), Owner, null, CampaignRole.Owner).Should().BeTrue();
        CampaignRules.MaySubscribe(Campaign(), Subscriber, null, CampaignRole.Subscriber).Should().BeTrue("a subscribed union may add a branch");
    }

    [Theory]
    [InlineData(null, MembershipState.Invited)]
    [InlineData(MembershipState.Invited, MembershipState.Invited)]
    [InlineData(MembershipState.Requested, MembershipState.Approved)]
    [InlineData(MembershipState.Approved, MembershipState.Approved)]
    public void OwnerAdmits_InvitesOrApprovesARequest(MembershipState? current, MembershipState next) =>
        CampaignRules.OwnerAdmits(current).Should().Be(next);

    [Theory]
    [InlineData(null, MembershipState.Requested)]
    [InlineData(MembershipState.Requested, MembershipState.Requested)]
    [InlineData(MembershipState.Invited, MembershipState.Approved)]
    [InlineData(MembershipState.Approved, MembershipState.Approved)]
    public void UnionAsks_RequestsOrAcceptsAnInvitation(MembershipState? current, MembershipState next) =>
        CampaignRules.UnionAsks(current).Should().Be(next);

    [Fact]
    public void AudienceFor_Owner_KeepsWhatItAsked()
    {
        var asked = new Audience([Subscriber], []);

        CampaignRules.AudienceFor(CampaignRole.Owner, Owner, Audience.Everyone).Should().Be(Audience.Everyone);
        CampaignRules.AudienceFor(CampaignRole.Owner, Owner, asked).Should().Be(asked);
    }

    [Fact]
    public void AudienceFor_Subscriber_EveryoneBecomesItsOwnUnion()
    {
        var audience = CampaignRules.AudienceFor(CampaignRole.Subscriber, Subscriber, Audience.Everyone)!;

        audience.UnionIds.Should().Equal(Subscriber);
        audience.Branches.Should().BeEmpty();
        audience.Includes(Owner, BranchId.Parse("aqtau")).Should().BeFalse("fan-out reads the audience from the event");
        audience.Includes(Subscriber, BranchId.Parse("london")).Should().BeTrue();
    }

    [Fact]
    public void AudienceFor_Subscriber_OwnBranchesKept_AnyOtherUnionsIdRefused()
    {
        var own = new Audience([], [new BranchRef(Subscriber, BranchId.Parse("london"))]);

        CampaignRules.AudienceFor(CampaignRole.Subscriber, Subscriber, own).Should().Be(own);
        CampaignRules.AudienceFor(CampaignRole.Subscriber, Subscriber, new Audience([Owner], [])).Should().BeNull();
        CampaignRules.AudienceFor(CampaignRole.Subscriber, Subscriber, new Audience([Subscriber], [new BranchRef(Owner, BranchId.Parse("aqtau"))])).Should().BeNull();
        CampaignRules.AudienceFor(CampaignRole.None, Outsider, Audience.Everyone).Should().BeNull();
    }
}

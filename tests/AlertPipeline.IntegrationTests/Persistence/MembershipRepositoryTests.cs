using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Persistence;
using NodaTime;

namespace AlertPipeline.IntegrationTests.Persistence;

public sealed class MembershipRepositoryTests : PersistenceTestBase
{
    private MembershipRepository Repository => new(Tables);

    [Fact]
    public async Task ContactsPage_PagesOneBranchWithContinuationTokens()
    {
        await Repository.UpsertContactsAsync(Enumerable.Range(0, 7).Select(i => Contact("kz-oil", "aqtau", $"c{i}", $"+44770090010{i}")));
        await Repository.UpsertContactsAsync([Contact("kz-oil", "zhanaozen", "other", "+447700900200")]);

        var pages = new List<ContactPage>();
        string? token = null;
        do
        {
            var page = await Repository.GetContactsPageAsync(UnionId.Parse("kz-oil"), BranchId.Parse("aqtau"), 3, token);
            pages.Add(page);
            token = page.ContinuationToken;
        }
        while (token is not null);

        pages.Select(p => p.Contacts.Count).Should().Equal(3, 3, 1);
        pages.SelectMany(p => p.Contacts).Select(c => c.Contact.ContactId.Value).Should().BeEquivalentTo(Enumerable.Range(0, 7).Select(i => $"c{i}"));
    }

    [Fact]
    public async Task ContactsPage_SimilarIdsInAnotherUnion_NeverReturned()
    {
        // "a" + "b-c" and "a-b" + "c": naive concatenation with '-' would make both "a-b-c".
        await Repository.UpsertContactsAsync([Contact("a", "b-c", "one", "+447700900301")]);
        await Repository.UpsertContactsAsync([Contact("a-b", "c", "two", "+447700900302"), Contact("a-b", "c", "one", "+447700900303")]);
        await Repository.UpsertContactsAsync([Contact("a", "b", "three", "+447700900304")]);

        var page = await Repository.GetContactsPageAsync(UnionId.Parse("a"), BranchId.Parse("b-c"), 100, null);
        var single = await Repository.GetContactAsync(UnionId.Parse("a"), BranchId.Parse("b-c"), ContactId.Parse("one"));

        page.Contacts.Should().ContainSingle().Which.Contact.Should().Match<Contact>(c =>
            c.UnionId.Value == "a" && c.BranchId.Value == "b-c" && c.Phone!.E164 == "+447700900301");
        single!.Contact.Phone!.E164.Should().Be("+447700900301");
        (await Repository.GetContactAsync(UnionId.Parse("a"), BranchId.Parse("b"), ContactId.Parse("one"))).Should().BeNull();
        (await Repository.GetBranchesAsync(UnionId.Parse("a"))).Should().BeEmpty("branches were not stored");
    }

    [Fact]
    public async Task Contact_RoundTripsEveryFieldAndAnInvalidNumber()
    {
        var contact = Contact("kz-oil", "aqtau", "c1", "+447700900123", "Aigul@Example.org").Contact with
        {
            Consent = new Consent(false, true),
            OptOut = new OptOutState(Instant.FromUtc(2025, 3, 1, 9, 0), null),
        };
        var invalid = new ContactEntry(Contact("kz-oil", "aqtau", "c2", email: "b@example.org").Contact, PhoneNumberError.TooShort);

        await Repository.UpsertContactAsync(new ContactEntry(contact));
        await Repository.UpsertContactAsync(invalid);

        (await Repository.GetContactAsync(contact.UnionId, contact.BranchId, contact.ContactId))!.Should().Be(new ContactEntry(contact));
        (await Repository.GetContactAsync(contact.UnionId, contact.BranchId, ContactId.Parse("c2"))).Should().Be(invalid);
    }

    [Fact]
    public async Task ReferenceData_RoundTrips()
    {
        var campaign = new Campaign(CampaignId.Parse("zhanaozen"), "Justice for Kazakhstan's Oil Workers", "help@example.org", LanguageTag.Parse("ru"));
        await Repository.UpsertCampaignAsync(campaign);
        await Repository.UpsertUnionAsync(new Union(UnionId.Parse("kz-oil"), "Mangystau Oil Workers"));
        await Repository.UpsertBranchAsync(new Branch(UnionId.Parse("kz-oil"), BranchId.Parse("aqtau"), "Aqtau"));
        await Repository.UpsertBranchAsync(new Branch(UnionId.Parse("kz-oil"), BranchId.Parse("zhanaozen"), "Zhanaozen"));
        await Repository.UpsertBranchAsync(new Branch(UnionId.Parse("kz-oil-2"), BranchId.Parse("x"), "X"));
        await Repository.UpsertSubscriptionAsync(new Subscription(campaign.CampaignId, UnionId.Parse("kz-oil")));
        await Repository.UpsertSubscriptionAsync(new Subscription(campaign.CampaignId, UnionId.Parse("uk"), BranchId.Parse("london")));

        (await Repository.GetCampaignAsync(campaign.CampaignId)).Should().Be(campaign);
        (await Repository.GetCampaignAsync(CampaignId.Parse("nope"))).Should().BeNull();
        (await Repository.GetUnionAsync(UnionId.Parse("kz-oil")))!.Name.Should().Be("Mangystau Oil Workers");
        (await Repository.GetBranchesAsync(UnionId.Parse("kz-oil"))).Select(b => b.BranchId.Value).Should().BeEquivalentTo(["aqtau", "zhanaozen"]);
        (await Repository.GetSubscriptionsAsync(campaign.CampaignId)).Should().BeEquivalentTo(
            [new Subscription(campaign.CampaignId, UnionId.Parse("kz-oil")), new Subscription(campaign.CampaignId, UnionId.Parse("uk"), BranchId.Parse("london"))]);
    }
}

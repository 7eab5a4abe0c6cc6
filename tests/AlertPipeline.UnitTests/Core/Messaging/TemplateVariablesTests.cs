using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Messaging;
using NodaTime;

namespace AlertPipeline.UnitTests.Core.Messaging;

public class TemplateVariablesTests
{
    private static readonly Campaign Campaign = new(CampaignId.Parse("zhanaozen"), "Zhanaozen solidarity", "help@example.org", LanguageTag.Parse("ru"));
    private static readonly Union Union = new(UnionId.Parse("uk-unite"), "Unite");
    private static readonly Branch Branch = new(UnionId.Parse("uk-unite"), BranchId.Parse("london"), "London");

    private static AlertEvent Event() => new()
    {
        EventId = EventId.Parse("zhanaozen-massacre"),
        Kind = EventKind.Anniversary,
        OccurredAt = Instant.FromUtc(2025, 12, 9, 6, 0),
        CampaignId = CampaignId.Parse("zhanaozen"),
        Occurrence = new Occurrence(new LocalDateTime(2025, 12, 16, 11, 0), TimeZoneId.Parse("Asia/Aqtau")),
        Reminder = Reminder.Parse("P7D"),
        Channels = new([Channel.Sms]),
        Variables = new ValueDictionary(new Dictionary<string, string> { ["place"] = "Zhanaozen central square" }),
    };

    [Fact]
    public void ForRecipient_MergesEventAndRecipientVariables_InTheContactsZone()
    {
        var contact = TestContacts.Contact() with { Language = LanguageTag.English };   // Europe/London, UTC+0 in December

        var vars = TemplateVariables.ForRecipient(Event(), Campaign, Union, Branch, contact);

        vars.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["place"] = "Zhanaozen central square",
            ["name"] = "Aigul",
            ["union"] = "Unite",
            ["branch"] = "London",
            ["campaign"] = "Zhanaozen solidarity",
            ["date"] = "16 December 2025",
            ["time"] = "06:00",
        });
    }

    [Fact]
    public void ForRecipient_NonEnglish_UsesNumericDate()
    {
        var contact = TestContacts.Contact() with { Language = LanguageTag.Parse("ru"), TimeZone = TimeZoneId.Parse("Asia/Almaty") };

        var vars = TemplateVariables.ForRecipient(Event(), Campaign, Union, Branch, contact);

        vars["date"].Should().Be("16.12.2025");
        vars["time"].Should().Be("11:00");   // Almaty has been UTC+5 since March 2024
    }

    [Fact]
    public void ForRecipient_DateCanChangeAcrossZones()
    {
        var contact = TestContacts.Contact() with { TimeZone = TimeZoneId.Parse("America/Los_Angeles") };
        var lateEvent = Event() with { Occurrence = new Occurrence(new LocalDateTime(2025, 12, 16, 4, 0), TimeZoneId.Parse("Asia/Aqtau")) };

        TemplateVariables.ForRecipient(lateEvent, Campaign, Union, Branch, contact)["date"].Should().Be("15.12.2025");
    }

    [Fact]
    public void ForRecipient_ContactFromAnotherUnion_Throws()
    {
        var contact = TestContacts.Contact() with { UnionId = UnionId.Parse("kz-oil") };

        var act = () => TemplateVariables.ForRecipient(Event(), Campaign, Union, Branch, contact);

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void ForRecipient_RendersTheEventTemplate()
    {
        var template = new MessageTemplate(LanguageTag.English, "{{name}} ({{branch}}): {{date}} {{time}} {{place}}", null);

        var rendered = TemplateRenderer.Render(template, TemplateVariables.ForRecipient(Event(), Campaign, Union, Branch, TestContacts.Contact()));

        rendered.Value.Sms.Should().Be("Aigul (London): 16.12.2025 06:00 Zhanaozen central square");
    }
}

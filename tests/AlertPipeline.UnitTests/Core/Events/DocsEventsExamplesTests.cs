using System.Text.RegularExpressions;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Testing;

namespace AlertPipeline.UnitTests.Core.Events;

/// <summary>Keeps docs/events.md honest: every ```json block in it must be a valid event.</summary>
public partial class DocsEventsExamplesTests
{
    private static readonly Lazy<string> Markdown = new(() => File.ReadAllText(RepositoryPaths.Combine("docs", "events.md")));

    [GeneratedRegex("```json\\n(.*?)\\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    private static List<string> Examples() => JsonBlock().Matches(Markdown.Value).Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public void EventsDoc_HasTheTwoExamples()
    {
        Examples().Should().HaveCount(2);
    }

    [Fact]
    public void EventsDoc_EveryJsonExample_ParsesAndRoundTrips()
    {
        foreach (var json in Examples())
        {
            var result = AlertEventParser.Parse(json);

            result.IsSuccess.Should().BeTrue(string.Join("\n", result.Errors));
            AlertEventParser.Parse(AlertEventSerializer.Serialize(result.Value)).Value.Should().Be(result.Value);
        }
    }

    [Fact]
    public void EventsDoc_ZhanaozenExample_IsTheDocumentedAnniversary()
    {
        var e = AlertEventParser.Parse(Examples()[0]).Value;

        e.Kind.Should().Be(EventKind.Anniversary);
        e.Occurrence.Canonical.Should().Be("2025-12-16T11:00:00 Asia/Aqtau");
        e.Templates.Select(t => t.Language.Value).Should().Equal("kk", "ru", "en");
        Markdown.Value.Should().Contain($"Its alert id is `{AlertId.For(e).Value}`.");
    }

    [Fact]
    public void EventsDoc_TrialExample_IsANarrowedSmsReminder()
    {
        var e = AlertEventParser.Parse(Examples()[1]).Value;

        e.Kind.Should().Be(EventKind.TrialDate);
        e.Reminder.Should().Be(Reminder.Parse("P1D"));
        e.Channels.Should().Equal(Channel.Sms);
        e.Audience.IsEveryone.Should().BeFalse();
    }

    [Fact]
    public void EventsDoc_ExampleTemplates_RenderForARealRecipient()
    {
        var campaignUnion = new Union(UnionId.Parse("uk-unite"), "Unite");
        var branch = new Branch(campaignUnion.UnionId, BranchId.Parse("london"), "London");
        foreach (var json in Examples())
        {
            var e = AlertEventParser.Parse(json).Value;
            var campaign = new Campaign(e.CampaignId, "Solidarity", "help@example.org", LanguageTag.Parse("ru"));
            foreach (var template in e.Templates)
            {
                var contact = TestContacts.Contact() with { Language = template.Language };
                var vars = TemplateVariables.ForRecipient(e, campaign, campaignUnion, branch, contact);

                var rendered = TemplateRenderer.Render(template, vars);

                rendered.IsSuccess.Should().BeTrue(string.Join("\n", rendered.Errors));
                SmsEncoder.Analyze(rendered.Value.Sms!).Segments.Should().BeLessThanOrEqualTo(3);
            }
        }
    }
}

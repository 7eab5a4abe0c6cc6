using System.Globalization;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Events;

namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>An alert event as it goes on the queue, and the alert id the pipeline derives from it.</summary>
public sealed record TestEvent(string Body, AlertId AlertId);

/// <summary>Alert events for the tests (docs/events.md): a hearing two days ahead, so nothing is expired.</summary>
public static class TestEvents
{
    public static TestEvent Hearing(string eventId, string campaignId, string channels = "\"sms\"", string audience = "")
    {
        var hearing = DateTime.UtcNow.AddDays(2);
        var body = $$$"""
            {
              "schemaVersion": 1,
              "eventId": "{{{eventId}}}",
              "kind": "trial-date",
              "occurredAt": "{{{DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}}}",
              "campaignId": "{{{campaignId}}}",
              "occurrence": { "localDateTime": "{{{hearing.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}}}T10:00", "timeZone": "Asia/Aqtau" },
              "reminder": "day-before",
              {{{audience}}}
              "channels": [{{{channels}}}],
              "variables": { "link": "https://example.org/appeal" },
              "templates": {
                "en": {
                  "sms": "{{name}}: the appeal of the jailed oil union activists is heard on {{date}} at {{time}} your time. Support: {{link}}",
                  "email": { "subject": "Appeal hearing on {{date}}", "text": "Dear {{name}},\n\nThe appeal is heard on {{date}} at {{time}}.\n\n{{link}}" }
                },
                "ru": {
                  "sms": "{{name}}, апелляция заключённых активистов-нефтяников {{date}} в {{time}}. Поддержите: {{link}}",
                  "email": { "subject": "Апелляция {{date}}", "text": "{{name}}, апелляция {{date}} в {{time}}: {{link}}" }
                }
              }
            }
            """;
        var parsed = AlertEventParser.Parse(body);
        parsed.IsSuccess.Should().BeTrue(parsed.ToString());
        return new TestEvent(body, AlertId.For(parsed.Value));
    }
}

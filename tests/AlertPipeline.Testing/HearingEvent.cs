using System.Globalization;

namespace AlertPipeline.Testing;

/// <summary>
/// The body of a trial-date alert event (docs/events.md) for tests and the fault harness: an appeal hearing two days
/// ahead in Asia/Aqtau (so nothing is expired), a day-before reminder, English and Russian SMS and email templates.
/// </summary>
public static class HearingEvent
{
    /// <param name="channels">The JSON items of <c>channels</c>, e.g. <c>"sms", "email"</c>.</param>
    /// <param name="audience">An optional <c>"audience": …,</c> line (with its trailing comma), or empty.</param>
    public static string Json(string eventId, string campaignId, string channels, string audience = "")
    {
        var hearing = DateTime.UtcNow.AddDays(2);
        return $$$"""
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
    }
}

using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Core.Scheduling;
using NodaTime;

namespace AlertPipeline.Infrastructure.Persistence.Schedules;

/// <summary>
/// The alert content of a schedule row as JSON in the shapes of the alert-event contract (docs/events.md):
/// <c>audience</c>, <c>variables</c> and <c>templates</c> exactly as an event carries them. Written with
/// <see cref="AlertEventSerializer"/> and read back with <see cref="AlertEventParser"/> (on a probe event holding the row's
/// channels, variables and templates), so a stored schedule is checked by the same rules as the events it raises.
/// </summary>
internal static class ScheduleContentJson
{
    /// <summary>The JSON of the event fields <paramref name="content"/> and <paramref name="templates"/> set, by name.</summary>
    public static IReadOnlyDictionary<string, string> Write(ScheduledAlertContent content, AlertTemplates templates) =>
        Elements(content, templates).ToDictionary(
            f => f.Key, f => f.Value.ValueKind == JsonValueKind.String ? f.Value.GetString()! : f.Value.GetRawText(), StringComparer.Ordinal);

    /// <summary>
    /// The event fields <c>audience</c>, <c>variables</c>, <c>templates</c>, <c>templateRef</c> that
    /// <paramref name="content"/> and <paramref name="templates"/> set, as the contract's serializer writes them.
    /// </summary>
    public static IReadOnlyDictionary<string, JsonElement> Elements(ScheduledAlertContent content, AlertTemplates templates)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(templates);
        var probe = new AlertEvent
        {
            EventId = EventId.Parse("probe"),
            Kind = EventKind.Anniversary,
            OccurredAt = Instant.FromUnixTimeSeconds(0),
            CampaignId = CampaignId.Parse("probe"),
            Occurrence = new Occurrence(new LocalDateTime(2000, 1, 1, 0, 0), TimeZoneId.Utc),
            Reminder = AlertPipeline.Core.Events.Reminder.Immediate,
            Audience = content.Audience,
            Channels = content.Channels,
            Variables = content.Variables,
            Templates = templates.Templates,
            TemplateRef = templates.Reference,
        };
        using var document = JsonDocument.Parse(AlertEventSerializer.Serialize(probe));
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var name in new[] { "audience", "variables", "templates", "templateRef" })
        {
            if (document.RootElement.TryGetProperty(name, out var value))
            {
                fields[name] = value.Clone();
            }
        }

        return fields;
    }

    /// <summary>
    /// Reads templates (the contract's <c>templates</c> object, or a <c>templateRef</c> name) stored for
    /// <paramref name="channels"/> and <paramref name="variables"/>; every problem is reported with its JSON path.
    /// </summary>
    /// <exception cref="FormatException">The JSON is not what the contract accepts.</exception>
    public static (Audience Audience, ValueDictionary Variables, AlertTemplates Templates) Read(
        IReadOnlyList<Channel> channels, string? audienceJson, string? variablesJson, string? templatesJson, string? templateRef)
    {
        var json = new StringBuilder()
            .Append("{\"schemaVersion\":1,\"eventId\":\"probe\",\"kind\":\"anniversary\",\"occurredAt\":\"2000-01-01T00:00:00Z\",")
            .Append("\"campaignId\":\"probe\",\"occurrence\":{\"localDateTime\":\"2000-01-01T00:00:00\",\"timeZone\":\"UTC\"},")
            .Append("\"reminder\":\"immediate\",\"expiresAt\":\"2000-01-01T00:00:01Z\",\"channels\":")
            .Append(JsonSerializer.Serialize(channels.Select(c => c.ToWireName())));
        Append(json, "audience", audienceJson);
        Append(json, "variables", variablesJson);
        Append(json, "templates", templatesJson);
        if (templateRef is not null)
        {
            json.Append(",\"templateRef\":").Append(JsonSerializer.Serialize(templateRef));
        }

        var parsed = AlertEventParser.Parse(json.Append('}').ToString());
        if (!parsed.TryGetValue(out var probe))
        {
            throw new FormatException(string.Join("; ", parsed.Errors));
        }

        var templates = probe.TemplateRef is { } reference ? AlertTemplates.Stored(reference) : AlertTemplates.Inline(probe.Templates);
        return (probe.Audience, probe.Variables, templates);
    }

    /// <summary>Event-wide variables as the contract's <c>variables</c> object.</summary>
    public static string WriteVariables(IEnumerable<KeyValuePair<string, string>> variables) =>
        JsonSerializer.Serialize(variables.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal));

    private static void Append(StringBuilder json, string name, string? raw)
    {
        if (raw is not null)
        {
            json.Append(",\"").Append(name).Append("\":").Append(raw);
        }
    }
}

using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using AlertPipeline.Core.Contacts;
using NodaTime.Text;

namespace AlertPipeline.Core.Events;

/// <summary>
/// Writes an <see cref="AlertEvent"/> as the version 1 JSON that <see cref="AlertEventParser.Parse"/> reads, with fields
/// in a fixed order and optional ones omitted when empty. Non-ASCII letters are written as UTF-8, not <c>\u</c> escapes
/// (queue messages are small); HTML-sensitive characters are still escaped.
/// </summary>
public static class AlertEventSerializer
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);

    /// <param name="traceParent">The producer's W3C trace context, written as <c>traceparent</c> when given (docs/observability.md).</param>
    public static string Serialize(AlertEvent alertEvent, bool indented = false, string? traceParent = null)
    {
        ArgumentNullException.ThrowIfNull(alertEvent);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented, Encoder = Encoder }))
        {
            Write(writer, alertEvent, traceParent);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter w, AlertEvent e, string? traceParent)
    {
        w.WriteStartObject();
        w.WriteNumber("schemaVersion", e.SchemaVersion);
        w.WriteString("eventId", e.EventId.Value);
        w.WriteString("kind", e.Kind.ToWireName());
        w.WriteString("occurredAt", InstantPattern.ExtendedIso.Format(e.OccurredAt));
        w.WriteString("campaignId", e.CampaignId.Value);

        w.WriteStartObject("occurrence");
        w.WriteString("localDateTime", LocalDateTimePattern.ExtendedIso.Format(e.Occurrence.Local));
        w.WriteString("timeZone", e.Occurrence.TimeZone.Id);
        w.WriteEndObject();

        w.WriteString("reminder", e.Reminder.Value);

        if (!e.Audience.IsEveryone)
        {
            w.WriteStartObject("audience");
            if (e.Audience.UnionIds.Count > 0)
            {
                w.WriteStartArray("unionIds");
                foreach (var id in e.Audience.UnionIds)
                {
                    w.WriteStringValue(id.Value);
                }

                w.WriteEndArray();
            }

            if (e.Audience.Branches.Count > 0)
            {
                w.WriteStartArray("branches");
                foreach (var branch in e.Audience.Branches)
                {
                    w.WriteStartObject();
                    w.WriteString("unionId", branch.UnionId.Value);
                    w.WriteString("branchId", branch.BranchId.Value);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        w.WriteStartArray("channels");
        foreach (var channel in e.Channels)
        {
            w.WriteStringValue(channel.ToWireName());
        }

        w.WriteEndArray();

        if (e.ExplicitExpiry is { } expiry)
        {
            w.WriteString("expiresAt", InstantPattern.ExtendedIso.Format(expiry));
        }

        if (e.Variables.Count > 0)
        {
            w.WriteStartObject("variables");
            foreach (var (name, value) in e.Variables)
            {
                w.WriteString(name, value);
            }

            w.WriteEndObject();
        }

        if (e.Templates.Count > 0)
        {
            w.WriteStartObject("templates");
            foreach (var template in e.Templates)
            {
                w.WriteStartObject(template.Language.Value);
                if (template.Sms is not null)
                {
                    w.WriteString("sms", template.Sms);
                }

                if (template.Email is { } email)
                {
                    w.WriteStartObject("email");
                    w.WriteString("subject", email.Subject);
                    w.WriteString("text", email.Text);
                    if (email.Html is not null)
                    {
                        w.WriteString("html", email.Html);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        if (e.TemplateRef is not null)
        {
            w.WriteString("templateRef", e.TemplateRef.Name);
        }

        if (traceParent is not null)
        {
            w.WriteString(AlertEventParser.TraceParentProperty, traceParent);
        }

        w.WriteEndObject();
    }
}

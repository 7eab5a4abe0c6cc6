using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Scheduling.Ports;
using AlertPipeline.Infrastructure.Api;
using NodaTime;
using EventId = AlertPipeline.Core.Events.EventId;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// An alert event sent to a campaign's route (send-now and preview bodies, docs/events.md): the campaign comes from the
/// route — the body may omit <c>campaignId</c> or repeat the same one — the event id is qualified with it
/// (<c>{campaign}--{eventId}</c>, so two campaigns' events can never share an alert id), <c>occurredAt</c> defaults to
/// now, and the event must be valid with inline templates. Preview and send of one body therefore name the same alert.
/// </summary>
public static class AlertEventBody
{
    /// <summary>
    /// Reads a request's body as such an event: 415 unless JSON, 413 over <paramref name="limit"/> bytes, 400 naming every
    /// bad field; otherwise the event.
    /// </summary>
    public static async Task<(AlertEvent? Event, IResult? Problem)> ReadAsync(HttpRequest request, CampaignId campaignId, int limit, Instant now) =>
        await ReadAsync(request, campaignId, limit, now, EventPrefix(campaignId, sender: null)).ConfigureAwait(false);

    /// <summary>
    /// As <see cref="ReadAsync(HttpRequest, CampaignId, int, Instant)"/> for a send by <paramref name="caller"/> (send-now and
    /// preview): a subscriber's event id is qualified with its union too (<c>{campaign}--{union}--{eventId}</c>), so it can
    /// never be — or pre-empt — the owner's alert of the same schedule; and its audience is bound to its own union by
    /// <see cref="CampaignRules.AudienceFor"/> (in the event itself, so fan-out honours it). An audience naming another
    /// union or another union's branch answers the standard 404, like any foreign id.
    /// </summary>
    public static async Task<(AlertEvent? Event, IResult? Problem)> ReadForAsync(HttpRequest request, CampaignCaller campaign, UnionId caller, int limit, Instant now)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(caller);
        var sender = campaign.Role == CampaignRole.Owner ? null : caller;
        var (alertEvent, problem) = await ReadAsync(request, campaign.CampaignId, limit, now, EventPrefix(campaign.CampaignId, sender)).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, problem);
        }

        return CampaignRules.AudienceFor(campaign.Role, caller, alertEvent!.Audience) is { } audience
            ? (alertEvent with { Audience = audience }, null)
            : (null, ApiProblems.NotFound());
    }

    /// <summary>What a send's event id is prefixed with: <c>{campaign}--</c>, or <c>{campaign}--{union}--</c> for a subscriber's.</summary>
    internal static string EventPrefix(CampaignId campaignId, UnionId? sender) =>
        campaignId.Value + CampaignScheduleId.Separator + (sender is null ? string.Empty : sender.Value + CampaignScheduleId.Separator);

    private static async Task<(AlertEvent? Event, IResult? Problem)> ReadAsync(HttpRequest request, CampaignId campaignId, int limit, Instant now, string eventPrefix)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!(request.ContentType ?? string.Empty).StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ApiProblems.UnsupportedMediaType("application/json"));
        }

        var (body, problem) = await ApiBodies.ReadAsync(request, limit, request.HttpContext.RequestAborted).ConfigureAwait(false);
        return problem is not null ? (null, problem) : Parse(body!, campaignId, now, eventPrefix);
    }

    public static (AlertEvent? Event, IResult? Problem) Parse(byte[] body, CampaignId campaignId, Instant now, string? eventPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(campaignId);
        var errors = new List<FieldError>();
        var json = Qualify(body, campaignId, now, errors, eventPrefix);
        if (json is null)
        {
            return (null, ApiProblems.Invalid(errors));
        }

        var parsed = AlertEventParser.Parse(json);
        if (!parsed.TryGetValue(out var alertEvent))
        {
            return (null, ApiProblems.Invalid(parsed.Errors.Select(e => new FieldError(Field(e.Path), e.Message))));
        }

        return alertEvent.TemplateRef is not null
            ? (null, ApiProblems.Invalid("templateRef", "stored template sets are not supported yet; send inline templates"))
            : (alertEvent, null);
    }

    /// <summary>
    /// The body with <c>campaignId</c> set from the route (a different one is refused), the event id qualified with the
    /// campaign, and <c>occurredAt</c> defaulting to now. Every other property is copied as is (duplicates included, so the
    /// contract's parser still refuses them). Null with <paramref name="errors"/> filled when the body cannot be used.
    /// </summary>
    internal static string? Qualify(byte[] body, CampaignId campaignId, Instant now, List<FieldError> errors, string? eventPrefix = null)
    {
        var prefix = eventPrefix ?? EventPrefix(campaignId, sender: null);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            errors.Add(new("body", "is not valid JSON"));
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new("body", "must be a JSON object (an alert event, docs/events.md)"));
                return null;
            }

            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                var hasCampaign = false;
                var hasOccurredAt = false;
                foreach (var property in root.EnumerateObject())
                {
                    switch (property.Name)
                    {
                        case "campaignId":
                            hasCampaign = true;
                            if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString() != campaignId.Value)
                            {
                                errors.Add(new("campaignId", $"differs from the campaign in the URL ('{campaignId}'); leave it out or repeat it"));
                            }

                            writer.WriteString("campaignId", campaignId.Value);
                            break;
                        case "eventId" when property.Value.ValueKind == JsonValueKind.String && EventId.TryParse(property.Value.GetString(), out var eventId):
                            var qualified = prefix + eventId.Value;
                            if (eventId.Value.Contains(CampaignScheduleId.Separator, StringComparison.Ordinal))
                            {
                                errors.Add(new("eventId", $"must not contain '{CampaignScheduleId.Separator}' (the campaign is prefixed to it)"));
                            }
                            else if (qualified.Length > EventId.MaxLength)
                            {
                                errors.Add(new("eventId", $"is too long: with the prefix '{prefix}' at most {EventId.MaxLength} characters are allowed"));
                            }

                            writer.WriteString("eventId", qualified);
                            break;
                        case "occurredAt":
                            hasOccurredAt = true;
                            property.WriteTo(writer);
                            break;
                        default:
                            property.WriteTo(writer);
                            break;
                    }
                }

                if (!hasCampaign)
                {
                    writer.WriteString("campaignId", campaignId.Value);
                }

                if (!hasOccurredAt)
                {
                    writer.WriteString("occurredAt", NodaTime.Text.InstantPattern.ExtendedIso.Format(now));
                }

                writer.WriteEndObject();
            }

            return errors.Count > 0 ? null : System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }
    }

    internal static string Field(string path) =>
        path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$') is { Length: > 0 } rest ? rest : "body";
}

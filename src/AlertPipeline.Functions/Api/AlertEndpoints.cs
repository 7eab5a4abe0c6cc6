using System.Text.Json;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Scheduling.Ports;
using AlertPipeline.Infrastructure.Api;
using NodaTime;
using EventId = AlertPipeline.Core.Events.EventId;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// Send now: <c>POST /unions/{union}/campaigns/{campaign}/alerts</c> with an alert event (docs/events.md) for a campaign
/// the union subscribes to. The campaign comes from the route; the event id is qualified with it
/// (<c>{campaign}--{eventId}</c>), so two campaigns' events can never share an alert id. Validated by
/// <see cref="AlertEventParser"/> and put on <c>alert-events</c> by the <see cref="IAlertEventPublisher"/>, as the
/// ScheduleTick does. The same body again is the same alert id; FanOut sends nothing twice.
/// </summary>
internal static class AlertEndpoints
{
    public sealed record SendNowView(string AlertId, string EventId);

    public static Task<IResult> SendNowAsync(
        HttpContext context, string union, string campaign, ApiGate gate, IAlertEventPublisher publisher, ApiOptions options, TimeProvider time) =>
        gate.RunForCampaignAsync(context, union, campaign, "send", async (_, campaignId, _) =>
        {
            if (!(context.Request.ContentType ?? string.Empty).StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            {
                return ApiProblems.UnsupportedMediaType("application/json");
            }

            var (body, problem) = await ApiBodies.ReadAsync(context.Request, options.MaxBodyBytes, context.RequestAborted);
            if (problem is not null)
            {
                return problem;
            }

            var errors = new List<FieldError>();
            var json = Qualify(body!, campaignId, Instant.FromDateTimeOffset(time.GetUtcNow()), errors);
            if (json is null)
            {
                return ApiProblems.Invalid(errors);
            }

            var parsed = AlertEventParser.Parse(json);
            if (!parsed.TryGetValue(out var alertEvent))
            {
                return ApiProblems.Invalid(parsed.Errors.Select(e => new FieldError(Field(e.Path), e.Message)));
            }

            await publisher.PublishAsync(alertEvent, context.RequestAborted);
            return Results.Accepted(value: new SendNowView(AlertId.For(alertEvent).Value, alertEvent.EventId.Value));
        });

    /// <summary>
    /// The body with <c>campaignId</c> set from the route (a different one is refused), the event id qualified with the
    /// campaign, and <c>occurredAt</c> defaulting to now. Every other property is copied as is (duplicates included, so the
    /// contract's parser still refuses them). Null with <paramref name="errors"/> filled when the body cannot be used.
    /// </summary>
    internal static string? Qualify(byte[] body, CampaignId campaignId, Instant now, List<FieldError> errors)
    {
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
                            var qualified = campaignId.Value + CampaignScheduleId.Separator + eventId.Value;
                            if (eventId.Value.Contains(CampaignScheduleId.Separator, StringComparison.Ordinal))
                            {
                                errors.Add(new("eventId", $"must not contain '{CampaignScheduleId.Separator}' (the campaign is prefixed to it)"));
                            }
                            else if (qualified.Length > EventId.MaxLength)
                            {
                                errors.Add(new("eventId", $"is too long: with the campaign prefix '{campaignId}{CampaignScheduleId.Separator}' at most {EventId.MaxLength} characters are allowed"));
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

    private static string Field(string path) =>
        path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$') is { Length: > 0 } rest ? rest : "body";
}

using System.Text.Json;
using System.Text.Json.Nodes;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// An alert event sent to a campaign's route (send-now body, docs/events.md): the campaign comes from the route — the body
/// may omit <c>campaignId</c> or repeat the same one — and the event must be valid with inline templates.
/// </summary>
public static class AlertEventBody
{
    public static (AlertEvent? Event, IResult? Problem) Parse(byte[] body, CampaignId campaignId)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(campaignId);
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return (null, ApiProblems.Invalid("body", "is not valid JSON"));
        }

        if (root is null)
        {
            return (null, ApiProblems.Invalid("body", "must be a JSON object (an alert event)"));
        }

        if (root.TryGetPropertyValue("campaignId", out var given) && given is not null)
        {
            if (given.GetValueKind() != JsonValueKind.String || given.GetValue<string>() != campaignId.Value)
            {
                return (null, ApiProblems.Invalid("campaignId", "differs from the campaign in the URL (leave it out)"));
            }
        }
        else
        {
            root["campaignId"] = campaignId.Value;
        }

        var parsed = AlertEventParser.Parse(root.ToJsonString());
        if (!parsed.TryGetValue(out var alertEvent))
        {
            return (null, ApiProblems.Invalid(parsed.Errors.Select(e => new FieldError(e.Path, e.Message))));
        }

        return alertEvent.TemplateRef is not null
            ? (null, ApiProblems.Invalid("$.templateRef", "stored template sets are not supported yet; send inline templates"))
            : (alertEvent, null);
    }
}

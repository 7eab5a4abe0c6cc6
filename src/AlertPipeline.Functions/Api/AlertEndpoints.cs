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

            var (alertEvent, invalid) = AlertEventBody.Parse(body!, campaignId, Instant.FromDateTimeOffset(time.GetUtcNow()));
            if (invalid is not null)
            {
                return invalid;
            }

            await publisher.PublishAsync(alertEvent!, context.RequestAborted);
            return Results.Accepted(value: new SendNowView(AlertId.For(alertEvent!).Value, alertEvent!.EventId.Value));
        });
}

using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Scheduling.Ports;
using AlertPipeline.Infrastructure.Api;
using NodaTime;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// Send now: <c>POST /unions/{union}/campaigns/{campaign}/alerts</c> with an alert event (docs/events.md) for a campaign
/// the union owns or subscribes to. The campaign comes from the route; the event id is qualified with it
/// (<c>{campaign}--{eventId}</c>; a subscriber's also with its union), so two campaigns' events can never share an alert
/// id. A subscriber's audience is its own union (<see cref="AlertEventBody.ReadForAsync"/>). Validated by
/// <see cref="AlertEventParser"/> and put on <c>alert-events</c> by the <see cref="IAlertEventPublisher"/>, as the
/// ScheduleTick does. The same body again is the same alert id; FanOut sends nothing twice.
/// </summary>
internal static class AlertEndpoints
{
    public sealed record SendNowView(string AlertId, string EventId);

    public static Task<IResult> SendNowAsync(
        HttpContext context, string union, string campaign, ApiGate gate, IAlertEventPublisher publisher, ApiOptions options, TimeProvider time) =>
        gate.RunForCampaignAsync(context, union, campaign, "send", CampaignUse.Read, async (unionId, found, _) =>
        {
            var (alertEvent, problem) = await AlertEventBody.ReadForAsync(context.Request, found, unionId, options.MaxBodyBytes, Instant.FromDateTimeOffset(time.GetUtcNow()));
            if (problem is not null)
            {
                return problem;
            }

            await publisher.PublishAsync(alertEvent!, context.RequestAborted);
            return Results.Accepted(value: new SendNowView(AlertId.For(alertEvent!).Value, alertEvent!.EventId.Value));
        });
}

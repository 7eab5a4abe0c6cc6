using AlertPipeline.Functions.Api;
using AlertPipeline.Functions.Functions;
using AlertPipeline.Functions.Health;

namespace AlertPipeline.Functions.Hosting;

/// <summary>Every HTTP function's endpoint (name, route, methods, handler): the organiser API, the OpenAPI document, Twilio's webhooks and the health probe.</summary>
public static class AppEndpoints
{
    public static IReadOnlyList<HttpEndpoint> All { get; } =
    [
        .. OrganiserApi.Endpoints,
        ApiOpenApiFunction.Endpoint,
        TwilioStatusFunction.Endpoint,
        TwilioInboundFunction.Endpoint,
        HealthCheckFunction.Endpoint,
    ];
}

using AlertPipeline.Functions.Api;
using AlertPipeline.Functions.Dashboard;
using AlertPipeline.Functions.Functions;
using AlertPipeline.Functions.Health;

namespace AlertPipeline.Functions.Hosting;

/// <summary>Every HTTP function's endpoint (name, route, methods, handler): the organiser API, the OpenAPI document, Twilio's webhooks, the health probe and the dashboard's files.</summary>
public static class AppEndpoints
{
    public static IReadOnlyList<HttpEndpoint> All { get; } =
    [
        .. OrganiserApi.Endpoints,
        ApiOpenApiFunction.Endpoint,
        TwilioStatusFunction.Endpoint,
        TwilioInboundFunction.Endpoint,
        HealthCheckFunction.Endpoint,
        DashboardFunction.Endpoint,
    ];
}

using AlertPipeline.Functions.Api;
using AlertPipeline.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.Functions.Health;

/// <summary><c>GET /api/health</c>: answers 200 while the app runs.</summary>
public sealed class HealthCheckFunction
{
    public const string Name = "HealthCheck";
    public const string Route = "health";

    public static HttpEndpoint Endpoint { get; } = new(Name, Route, ["GET"], Handle);

    [Function(Name)]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest request) => Handle(request);

    public static IResult Handle(HttpRequest request) => RequestLimits.Declared(request, RequestLimits.NoBodyBytes, RequestLimits.NoBodyName) ?? Results.Json(new HealthStatus("ok", typeof(HealthCheckFunction).Assembly.GetName().Version?.ToString() ?? "0"));

    public sealed record HealthStatus(string Status, string Version);
}

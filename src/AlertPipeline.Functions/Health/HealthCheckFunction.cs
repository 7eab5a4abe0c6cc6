using AlertPipeline.CustomHandler.Configuration;
using AlertPipeline.Functions.Hosting;

namespace AlertPipeline.Functions.Health;

/// <summary><c>GET /api/health</c>: a forwarded HTTP function answering 200 while the handler runs.</summary>
public static class HealthCheckFunction
{
    public static FunctionDefinition Definition { get; } = new(
        "HealthCheck",
        [
            new HttpTriggerBinding("req", "health", ["get"], HttpAuthLevels.Anonymous),
            new HttpOutputBinding("res"),
        ]);

    public static FunctionRegistration Registration { get; } =
        FunctionRegistration.Http(Definition, endpoints => endpoints.MapHttpFunction(Definition, Handle));

    public static IResult Handle() => Results.Json(new HealthStatus("ok", typeof(HealthCheckFunction).Assembly.GetName().Version?.ToString() ?? "0"));

    public sealed record HealthStatus(string Status, string Version);
}

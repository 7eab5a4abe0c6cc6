using AlertPipeline.CustomHandler.Configuration;

namespace AlertPipeline.Functions.Hosting;

/// <summary>Where the host sends requests: invocations to <c>/{Name}</c>, forwarded HTTP requests to <c>/{RoutePrefix}/{route}</c>.</summary>
public static class FunctionRoutes
{
    /// <summary>Must equal host.json's <c>extensions.http.routePrefix</c> (checked by the consistency test).</summary>
    public const string RoutePrefix = "api";

    public static HttpOptions Http { get; } = new() { RoutePrefix = RoutePrefix };

    /// <summary>The path the host POSTs invocations of <paramref name="functionName"/> to.</summary>
    public static string InvocationPath(string functionName) => "/" + functionName;

    /// <summary>The forwarded path of an HTTP-triggered function: <c>/api/health</c>.</summary>
    public static string HttpPath(FunctionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var trigger = definition.Trigger as HttpTriggerBinding
                      ?? throw new ArgumentException($"Function '{definition.Name}' has no httpTrigger.", nameof(definition));
        return Http.PathFor(trigger.EffectiveRoute(definition.Name));
    }
}

using Microsoft.AspNetCore.Routing.Patterns;

namespace AlertPipeline.Functions.Hosting;

/// <summary>
/// One HTTP function's handler and where it is served: the <c>[Function]</c> name, the route under <c>/api</c> and the
/// methods of its <c>[HttpTrigger]</c> (the built <c>functions.metadata</c> must say the same: a test compares them), and
/// the minimal-API style handler the function calls. The same table maps the handlers onto an ASP.NET Core app for the
/// OpenAPI description and for the integration tests' in-process server (docs/functions.md).
/// </summary>
public sealed record HttpEndpoint(string Name, string Route, IReadOnlyList<string> Methods, Delegate Handler)
{
    /// <summary>host.json's <c>extensions.http.routePrefix</c> (checked by a test).</summary>
    public const string RoutePrefix = "api";

    /// <summary>The path the function answers on: <c>/api/{route}</c>.</summary>
    public string Path => "/" + RoutePrefix + "/" + Route;
}

public static class HttpEndpointExtensions
{
    /// <summary>Maps every endpoint of <paramref name="endpoints"/> at its path and methods, named after its function.</summary>
    public static IEndpointRouteBuilder MapHttpEndpoints(this IEndpointRouteBuilder builder, IEnumerable<HttpEndpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var endpoint in endpoints)
        {
            builder.MapMethods(endpoint.Path, endpoint.Methods, endpoint.Handler).WithName(endpoint.Name);
        }

        return builder;
    }

    /// <summary>
    /// A route value of the request, as the worker's ASP.NET Core integration matched it against the function's route
    /// (<c>{union}</c> in <c>unions/{union}/keys</c>); empty when absent, which the handlers answer with 404.
    /// </summary>
    public static string RouteValue(this HttpRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.RouteValues.TryGetValue(name, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty : string.Empty;
    }

    /// <summary>The route parameter names of <paramref name="route"/>, for tests.</summary>
    public static IReadOnlyList<string> RouteParameters(string route) => RoutePatternFactory.Parse(route).Parameters.Select(p => p.Name).ToList();
}

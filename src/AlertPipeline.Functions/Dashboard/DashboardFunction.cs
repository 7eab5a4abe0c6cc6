using AlertPipeline.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;

namespace AlertPipeline.Functions.Dashboard;

/// <summary>
/// <c>GET /api/dashboard/{*path}</c> (anonymous): the organiser dashboard's static files (docs/dashboard.md). The pages
/// call the organiser API with the key the user signs in with; this function serves files only, never data.
/// </summary>
public sealed class DashboardFunction
{
    public const string Name = "Dashboard";
    public const string Route = "dashboard/{*path}";

    /// <summary>
    /// Everything comes from this origin: scripts and styles are files (no inline script, no inline style attribute),
    /// API calls go to the same host, nothing may frame the page, and no form posts anywhere.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; manifest-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>Browsers may keep a copy but must ask again (a 304 with the same ETag is cheap): a deployment shows at once.</summary>
    public const string CacheControl = "no-cache";

    public static HttpEndpoint Endpoint { get; } = new(Name, Route, ["GET"], Handle);

    [Function(Name)]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Handle(request.HttpContext);
    }

    public static IResult Handle(HttpContext context) => Serve(context, DashboardAssets.Embedded);

    public static IResult Serve(HttpContext context, DashboardAssets assets)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(assets);
        var request = context.Request;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";

        var path = request.RouteValue("path");
        if (path.Length == 0)
        {
            // The pages load their modules relative to the folder: /api/dashboard must become /api/dashboard/.
            if (!(request.Path.Value ?? string.Empty).EndsWith('/'))
            {
                return Results.Redirect(request.PathBase + request.Path + "/");
            }

            path = "index.html";
        }

        if (!assets.TryGet(path, out var asset))
        {
            headers.CacheControl = "no-store";
            return Results.Text("Not found.", "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
        }

        headers.CacheControl = CacheControl;
        headers.ETag = asset.ETag;
        if (request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(tag => tag.Trim() == asset.ETag || tag.Trim() == "*")))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }
}

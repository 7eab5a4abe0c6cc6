using AlertPipeline.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.Functions.Api;

/// <summary><c>GET /api/openapi.json</c> (anonymous): the organiser API's OpenAPI document (<see cref="ApiDocumentSource"/>).</summary>
public sealed class ApiOpenApiFunction(ApiDocumentSource source)
{
    public const string Name = "ApiOpenApi";

    public static HttpEndpoint Endpoint { get; } = new(Name, ApiDocument.Route, ["GET"], HandleAsync);

    [Function(Name)]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiDocument.Route)] HttpRequest request) =>
        HandleAsync(request, source, request.HttpContext.RequestAborted);

    public static async Task<IResult> HandleAsync(HttpRequest request, ApiDocumentSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (RequestLimits.Declared(request, RequestLimits.NoBodyBytes, RequestLimits.NoBodyName) is { } tooLarge)
        {
            return tooLarge;
        }

        var json = await source.GetJsonAsync(cancellationToken).ConfigureAwait(false);
        return Results.Text(json, "application/json; charset=utf-8");
    }
}

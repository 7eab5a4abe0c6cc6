using AlertPipeline.CustomHandler.Configuration;
using AlertPipeline.Functions.Hosting;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// <c>GET /api/openapi.json</c>: the OpenAPI document of the organiser API (anonymous), generated from the mapped
/// endpoints, so a new endpoint is in it as soon as it is mapped. Twilio's webhooks and the health probe are left out
/// (they are not the organisers'). Every operation needs an API key (<c>X-Api-Key</c>, or <c>Authorization: ApiKey …</c>).
/// </summary>
public static class ApiDocument
{
    public const string Path = "/api/openapi.json";
    public const string SecuritySchemeName = "ApiKey";

    public static FunctionDefinition Definition { get; } = new(
        "ApiOpenApi", [new HttpTriggerBinding("req", "openapi.json", ["get"], HttpAuthLevels.Anonymous), new HttpOutputBinding("res")]);

    public static FunctionRegistration Registration { get; } =
        FunctionRegistration.Http(Definition, endpoints => endpoints.MapOpenApi(Path).WithName(Definition.Name));

    /// <summary>Whether an endpoint at <paramref name="relativePath"/> (<c>api/…</c>) is in the document.</summary>
    public static bool IsDescribed(string relativePath) =>
        !relativePath.StartsWith("api/twilio/", StringComparison.OrdinalIgnoreCase) && !relativePath.Equals("api/health", StringComparison.OrdinalIgnoreCase);

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.ShouldInclude = description => description.RelativePath is { } path && IsDescribed(path);
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "AlertPipeline organiser API",
                    Version = "v1",
                    Description = "Unions, branches, contacts, campaigns, schedules, previews, sends and delivery reports. See docs/api.md.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = ApiGate.ApiKeyHeader,
                    Description = "A union's API key (or 'Authorization: ApiKey <key>'). Shown once when created; the server keeps only its hash.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, document)] = [] }];
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(DescribeAsync);
        });

    /// <summary>Summary, request body and answers of an operation, from <see cref="ApiOperations"/>.</summary>
    private static async Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
        if (name is null || context.Description.HttpMethod is not { } method || !ApiOperations.All.TryGetValue((name, method.ToUpperInvariant()), out var described))
        {
            return;
        }

        operation.Summary = described.Summary;
        operation.OperationId = name + char.ToUpperInvariant(method[0]) + method[1..].ToLowerInvariant();
        if (described.Request is { } request)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [described.RequestMediaType] = new() { Schema = await SchemaAsync(request, context, cancellationToken).ConfigureAwait(false) },
                },
            };
        }

        var responses = new OpenApiResponses
        {
            [Code(described.Success)] = new OpenApiResponse
            {
                Description = ReasonPhrase(described.Success),
                Content = described.Response is { } response
                    ? new Dictionary<string, OpenApiMediaType>
                    {
                        [described.ResponseMediaType] = new() { Schema = await SchemaAsync(response, context, cancellationToken).ConfigureAwait(false) },
                    }
                    : null,
            },
        };
        var problem = await context.GetOrCreateSchemaAsync(typeof(ProblemView), null, cancellationToken).ConfigureAwait(false);
        foreach (var status in ErrorStatuses(described))
        {
            responses[Code(status)] = new OpenApiResponse
            {
                Description = ReasonPhrase(status),
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = problem } },
            };
        }

        operation.Responses = responses;
    }

    private static IEnumerable<int> ErrorStatuses(ApiOperation operation)
    {
        if (operation.Request is not null || operation.BadQuery)
        {
            yield return StatusCodes.Status400BadRequest;
        }

        yield return StatusCodes.Status401Unauthorized;
        yield return StatusCodes.Status403Forbidden;
        yield return StatusCodes.Status404NotFound;
        if (operation.Conflict)
        {
            yield return StatusCodes.Status409Conflict;
        }

        if (operation.Request is not null)
        {
            yield return StatusCodes.Status413PayloadTooLarge;
            yield return StatusCodes.Status415UnsupportedMediaType;
        }
    }

    private static async Task<IOpenApiSchema> SchemaAsync(Type type, OpenApiOperationTransformerContext context, CancellationToken cancellationToken) =>
        type == typeof(string) ? new OpenApiSchema { Type = JsonSchemaType.String }
        : type == typeof(System.Text.Json.JsonElement) ? new OpenApiSchema { Type = JsonSchemaType.Object, Description = "An alert event: see docs/events.md." }
        : type == typeof(object) ? new OpenApiSchema { Type = JsonSchemaType.Object, Description = "See docs/api.md." }
        : await context.GetOrCreateSchemaAsync(type, null, cancellationToken).ConfigureAwait(false);

    private static string Code(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
}

using AlertPipeline.CustomHandler.Configuration;
using AlertPipeline.Functions.Hosting;
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
        });
}

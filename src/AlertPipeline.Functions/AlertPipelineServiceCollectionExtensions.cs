using AlertPipeline.Functions.Api;
using AlertPipeline.Functions.Functions;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Imports;
using AlertPipeline.Infrastructure.Storage;

namespace AlertPipeline.Functions;

public static class AlertPipelineServiceCollectionExtensions
{
    /// <summary>
    /// Every service the app's functions and endpoint handlers use, registered once for the worker (Program.cs), the
    /// integration tests' in-process server and the OpenAPI description: the pipeline (tables, gateways, handlers), the
    /// ScheduleTick, the organiser API, contact import jobs, previews and reports, and the OpenAPI document; the table
    /// traffic gate that gives HTTP functions' table requests priority (InteractiveRequestMiddleware marks them). Options are validated on start.
    /// </summary>
    public static IServiceCollection AddAlertPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddTableTrafficGate(configuration);
        services.AddPipeline(configuration);
        services.AddScheduleTick(configuration);
        services.AddOrganiserApi(configuration);
        services.AddContactImports(configuration);
        services.AddOrganiserReports(configuration);
        services.AddSingleton<ApiGate>();
        services.AddSingleton<ApiDocumentSource>();
        return services;
    }
}

using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Configuration;
using AlertPipeline.Infrastructure.Persistence;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Functions.Api;

public static class ReportsServiceCollectionExtensions
{
    /// <summary>
    /// Previews, delivery reports and erasure: <see cref="AudiencePreviewer"/> (over <c>AddPipeline</c>'s lookups and
    /// resolver), <see cref="SmsPricingOptions"/> (<c>Pipeline:SmsPricePerSegment</c>, <c>Pipeline:SmsPriceCurrency</c>,
    /// validated on start), <see cref="AlertReportReader"/> (<see cref="ReportOptions"/>, section <c>Reports</c>), <see cref="DeliveryErasure"/> and <see cref="ContactErasure"/>.
    /// </summary>
    public static IServiceCollection AddOrganiserReports(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SmsPricingOptions>().Bind(configuration.GetSection(SmsPricingOptions.SectionName)).ValidateAll(o => o.Validate());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<SmsPricingOptions>>().Value);
        services.AddOptions<ReportOptions>().Bind(configuration.GetSection(ReportOptions.SectionName)).ValidateAll(o => o.Validate());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ReportOptions>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AlertReportReader>();
        services.TryAddSingleton<DeliveryPagePlanner>();
        services.TryAddSingleton<AudiencePreviewer>();
        services.TryAddSingleton<DeliveryErasure>();
        services.TryAddSingleton<ContactErasure>();
        return services;
    }
}

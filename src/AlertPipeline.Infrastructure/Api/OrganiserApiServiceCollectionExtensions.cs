using AlertPipeline.Infrastructure.Configuration;
using AlertPipeline.Infrastructure.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Infrastructure.Api;

public static class OrganiserApiServiceCollectionExtensions
{
    /// <summary>
    /// The organiser API's storage: <see cref="ApiKeyService"/>, <see cref="AuditLog"/>, <see cref="MembershipAdmin"/>
    /// (over <see cref="PipelineStorageServiceCollectionExtensions.AddPipelineStorage"/>), <see cref="ApiOptions"/>
    /// (section <c>Api</c>, validated on start) and the worker's <see cref="ApiLookupCache"/>.
    /// </summary>
    public static IServiceCollection AddOrganiserApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddPipelineStorage(configuration);
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.SectionName)).ValidateAll(o => o.Validate());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ApiOptions>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ApiLookupCache>();
        services.TryAddSingleton<ApiKeyService>();
        services.TryAddSingleton<AuditLog>();
        services.TryAddSingleton<MembershipAdmin>();
        services.TryAddSingleton<CampaignAdmin>();
        return services;
    }
}

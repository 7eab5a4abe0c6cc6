using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Configuration;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Infrastructure.Imports;

public static class ImportServiceCollectionExtensions
{
    /// <summary>
    /// Contact import jobs: <see cref="ContactImportJobs"/> over <see cref="ImportJobStore"/> (tables),
    /// <see cref="ImportFileStore"/> (the storage connection's Blob service) and the <c>contact-imports</c> queue, with
    /// <see cref="ImportJobOptions"/> (section <c>Imports</c>, validated on start). Needs <c>AddOrganiserApi</c>.
    /// </summary>
    public static IServiceCollection AddContactImports(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOrganiserApi(configuration);
        services.AddOptions<ImportJobOptions>().Bind(configuration.GetSection(ImportJobOptions.SectionName)).ValidateAll(o => o.Validate());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ImportJobOptions>>().Value);
        services.TryAddSingleton<ImportJobStore>();
        services.TryAddSingleton(sp => new ImportFileStore(sp.BlobService(sp.GetRequiredService<PipelineStorageOptions>().ConnectionName)));
        services.TryAddSingleton(sp => new ContactImportJobs(
            sp.GetRequiredService<ImportJobStore>(),
            sp.GetRequiredService<ImportFileStore>(),
            sp.GetRequiredService<MembershipAdmin>(),
            sp.GetRequiredService<AuditLog>(),
            sp.QueueService(sp.GetRequiredService<PipelineStorageOptions>().ConnectionName),
            sp.GetRequiredService<ImportJobOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ContactImportJobs>>()));
        return services;
    }
}

using System.Globalization;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Core.Scheduling.Ports;
using AlertPipeline.Infrastructure.Persistence.Schedules;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Infrastructure.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;

namespace AlertPipeline.Functions.Functions;

public static class ScheduleTickServiceCollectionExtensions
{
    /// <summary>
    /// The configuration section of the tick: <c>Scheduling:GracePeriod</c> (<c>hh:mm:ss</c>, default 00:15:00),
    /// <c>Scheduling:PageSize</c>, <c>Scheduling:RedeliverAfter</c> (default 00:02:00).
    /// </summary>
    public const string SectionName = "Scheduling";

    /// <summary>
    /// Registers the <see cref="ScheduleTickHandler"/>, its options (read and checked now, so a bad setting stops the start),
    /// the schedule storage on <c>AzureWebJobsStorage</c> and the <see cref="IAlertEventPublisher"/> on its <c>alert-events</c>
    /// queue (<see cref="StorageServiceCollectionExtensions.AddStorageClients"/>: connection string, or identity-based settings).
    /// </summary>
    public static IServiceCollection AddScheduleTick(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(ReadOptions(configuration.GetSection(SectionName)));
        services.TryAddSingleton(TimeProvider.System);
        services.AddStorageClients(StorageServiceCollectionExtensions.DefaultConnectionName, configuration);
        services.AddScheduleStorage();
        services.TryAddSingleton<IAlertEventPublisher>(
            sp => new QueueAlertEventPublisher(new PipelineQueues(sp.QueueService(StorageServiceCollectionExtensions.DefaultConnectionName))));
        services.TryAddSingleton<ScheduleTickHandler>();
        return services;
    }

    internal static ScheduleTickOptions ReadOptions(IConfigurationSection section)
    {
        Duration? grace = null;
        if (section["GracePeriod"] is { Length: > 0 } graceText)
        {
            grace = TimeSpan.TryParse(graceText, CultureInfo.InvariantCulture, out var value)
                ? Duration.FromTimeSpan(value)
                : throw new InvalidOperationException($"{SectionName}:GracePeriod '{graceText}' is not a duration such as 00:15:00.");
        }

        var pageSize = ScheduleTickOptions.DefaultPageSize;
        if (section["PageSize"] is { Length: > 0 } pageText && !int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize))
        {
            throw new InvalidOperationException($"{SectionName}:PageSize '{pageText}' is not a whole number.");
        }

        Duration? redeliverAfter = null;
        if (section["RedeliverAfter"] is { Length: > 0 } redeliverText)
        {
            redeliverAfter = TimeSpan.TryParse(redeliverText, CultureInfo.InvariantCulture, out var value)
                ? Duration.FromTimeSpan(value)
                : throw new InvalidOperationException($"{SectionName}:RedeliverAfter '{redeliverText}' is not a duration such as 00:02:00.");
        }

        try
        {
            return new ScheduleTickOptions(grace, pageSize, redeliverAfter);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
    }
}

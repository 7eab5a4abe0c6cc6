using System.Globalization;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Infrastructure.Persistence.Schedules;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;

namespace AlertPipeline.Functions.Functions;

public static class ScheduleTickServiceCollectionExtensions
{
    /// <summary>The configuration section of the tick: <c>Scheduling:GracePeriod</c> (<c>hh:mm:ss</c>, default 00:15:00), <c>Scheduling:PageSize</c>.</summary>
    public const string SectionName = "Scheduling";

    /// <summary>
    /// Registers the <see cref="ScheduleTickHandler"/>, its options (read and checked now, so a bad setting stops the start)
    /// and the schedule storage on <c>AzureWebJobsStorage</c>.
    /// </summary>
    public static IServiceCollection AddScheduleTick(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(ReadOptions(configuration.GetSection(SectionName)));
        services.TryAddSingleton(TimeProvider.System);
        services.AddScheduleStorage();
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

        try
        {
            return new ScheduleTickOptions(grace, pageSize);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
    }
}

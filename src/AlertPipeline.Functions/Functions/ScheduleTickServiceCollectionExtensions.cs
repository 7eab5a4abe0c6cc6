using System.Globalization;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Core.Scheduling.Ports;
using AlertPipeline.Infrastructure.Persistence.Schedules;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Infrastructure.Storage.Queues;
using Azure.Identity;
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
    /// queue (connection string, or <c>AzureWebJobsStorage__queueServiceUri</c> with managed identity).
    /// </summary>
    public static IServiceCollection AddScheduleTick(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(ReadOptions(configuration.GetSection(SectionName)));
        services.TryAddSingleton(TimeProvider.System);
        services.AddScheduleStorage();
        services.TryAddSingleton<IAlertEventPublisher>(
            _ => new QueueAlertEventPublisher(new PipelineQueues(CreateQueueService(configuration, ScheduleStorageServiceCollectionExtensions.DefaultConnectionName))));
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

    private static QueueServiceClient CreateQueueService(IConfiguration configuration, string connectionName)
    {
        var connectionString = configuration.GetConnectionString(connectionName) ?? configuration[connectionName];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new QueueServiceClient(connectionString);
        }

        var section = configuration.GetSection(connectionName);
        if (Uri.TryCreate(section["queueServiceUri"], UriKind.Absolute, out var endpoint))
        {
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = section["clientId"] });
            return new QueueServiceClient(endpoint, credential);
        }

        throw new InvalidOperationException(
            $"No queue storage connection named '{connectionName}' for ScheduleTick's alert-events: set {connectionName} (a connection string) " +
            $"or {connectionName}__queueServiceUri (identity-based).");
    }
}

using NodaTime;

namespace AlertPipeline.Core.Scheduling;

/// <summary>Settings of the ScheduleTick (configuration section <c>Scheduling</c>).</summary>
public sealed record ScheduleTickOptions
{
    public static readonly Duration DefaultGracePeriod = Duration.FromMinutes(15);
    public const int DefaultPageSize = 100;

    /// <param name="gracePeriod">How late an occurrence may still be sent (positive, at most <see cref="SchedulePlanner.MaxGracePeriod"/>); default 15 min.</param>
    /// <param name="pageSize">Schedules read per page (1–1000).</param>
    public ScheduleTickOptions(Duration? gracePeriod = null, int pageSize = DefaultPageSize)
    {
        var grace = gracePeriod ?? DefaultGracePeriod;
        if (grace <= Duration.Zero || grace > SchedulePlanner.MaxGracePeriod)
        {
            throw new ArgumentOutOfRangeException(
                nameof(gracePeriod), grace, $"Scheduling:GracePeriod must be positive and at most {SchedulePlanner.MaxGracePeriod.TotalDays} days.");
        }

        if (pageSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "Scheduling:PageSize must be between 1 and 1000.");
        }

        GracePeriod = grace;
        PageSize = pageSize;
    }

    public Duration GracePeriod { get; }

    public int PageSize { get; }
}

using NodaTime;

namespace AlertPipeline.Core.Scheduling;

/// <summary>Settings of the ScheduleTick (configuration section <c>Scheduling</c>).</summary>
public sealed record ScheduleTickOptions
{
    public static readonly Duration DefaultGracePeriod = Duration.FromMinutes(15);
    public const int DefaultPageSize = 100;
    public static readonly Duration DefaultRedeliverAfter = Duration.FromMinutes(2);

    /// <param name="gracePeriod">How late an occurrence may still be sent (positive, at most <see cref="SchedulePlanner.MaxGracePeriod"/>); default 15 min.</param>
    /// <param name="pageSize">Schedules read per page (1–1000).</param>
    /// <param name="redeliverAfter">
    /// How old a claim whose enqueue was never confirmed must be before a tick enqueues its event again (positive and
    /// shorter than the grace period, so redelivery happens while the occurrence is still planned); default 2 min.
    /// </param>
    public ScheduleTickOptions(Duration? gracePeriod = null, int pageSize = DefaultPageSize, Duration? redeliverAfter = null)
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

        var redeliver = redeliverAfter ?? (DefaultRedeliverAfter < grace ? DefaultRedeliverAfter : grace / 2);
        if (redeliver <= Duration.Zero || redeliver >= grace)
        {
            throw new ArgumentOutOfRangeException(
                nameof(redeliverAfter), redeliver, $"Scheduling:RedeliverAfter must be positive and shorter than Scheduling:GracePeriod ({grace}).");
        }

        GracePeriod = grace;
        PageSize = pageSize;
        RedeliverAfter = redeliver;
    }

    public Duration GracePeriod { get; }

    public int PageSize { get; }

    /// <summary>A claim older than this without confirmed enqueue is enqueued again (the claimer is presumed dead).</summary>
    public Duration RedeliverAfter { get; }
}

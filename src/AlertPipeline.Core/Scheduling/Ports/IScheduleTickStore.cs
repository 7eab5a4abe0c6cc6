using NodaTime;

namespace AlertPipeline.Core.Scheduling.Ports;

/// <summary>The <c>now</c> of the last completed ScheduleTick, shared by every host.</summary>
public interface IScheduleTickStore
{
    /// <summary>Null before the first completed tick.</summary>
    Task<Instant?> GetLastTickAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves the last tick forward to <paramref name="tick"/> (an ETag-conditional read-modify-write); never backwards:
    /// when another host already stored a later tick, that one stays. Returns the value stored afterwards.
    /// </summary>
    Task<Instant> AdvanceLastTickAsync(Instant tick, CancellationToken cancellationToken = default);
}

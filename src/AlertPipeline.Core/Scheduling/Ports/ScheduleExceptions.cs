namespace AlertPipeline.Core.Scheduling.Ports;

/// <summary>No schedule has this id.</summary>
public sealed class ScheduleNotFoundException(ScheduleId scheduleId)
    : KeyNotFoundException($"There is no schedule '{scheduleId}'.")
{
    public ScheduleId ScheduleId { get; } = scheduleId;
}

/// <summary>The schedule changed between reading and writing it (its ETag no longer matched): read it again and retry.</summary>
public sealed class ScheduleConcurrencyException(ScheduleId scheduleId)
    : InvalidOperationException($"Schedule '{scheduleId}' was changed by someone else meanwhile; read it again and retry.")
{
    public ScheduleId ScheduleId { get; } = scheduleId;
}

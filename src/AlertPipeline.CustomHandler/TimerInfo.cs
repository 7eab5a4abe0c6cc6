using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlertPipeline.CustomHandler;

/// <summary>
/// A timer trigger's <c>Data.&lt;name&gt;</c>: <c>{"Schedule":{…},"ScheduleStatus":{"Last","Next","LastUpdated"},"IsPastDue":false}</c>.
/// <see cref="ScheduleStatus"/> is null when the host keeps no schedule monitor (<c>useMonitor: false</c>) or on a first run.
/// </summary>
public sealed record TimerInfo
{
    [JsonPropertyName("Schedule")]
    public JsonElement? Schedule { get; init; }

    [JsonPropertyName("ScheduleStatus")]
    public TimerScheduleStatus? ScheduleStatus { get; init; }

    [JsonPropertyName("IsPastDue")]
    public bool IsPastDue { get; init; }
}

/// <summary>The last and next occurrences the host's schedule monitor recorded.</summary>
public sealed record TimerScheduleStatus
{
    [JsonPropertyName("Last")]
    public DateTimeOffset Last { get; init; }

    [JsonPropertyName("Next")]
    public DateTimeOffset Next { get; init; }

    [JsonPropertyName("LastUpdated")]
    public DateTimeOffset LastUpdated { get; init; }
}

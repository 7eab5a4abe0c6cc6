using NodaTime;

namespace AlertPipeline.Core.Pipeline;

internal static class Clock
{
    public static Instant Now(this TimeProvider time) => Instant.FromDateTimeOffset(time.GetUtcNow());
}

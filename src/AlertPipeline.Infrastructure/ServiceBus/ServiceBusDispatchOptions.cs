namespace AlertPipeline.Infrastructure.ServiceBus;

/// <summary>
/// Section <c>ServiceBus</c>: how the worker talks to the Service Bus dispatch queues when
/// <c>Pipeline:Dispatch:Transport</c> is <c>ServiceBus</c> (docs/pipeline.md, "Service Bus transport"). Every default is
/// valid, so nothing here must be set; the connection itself is the Functions-style setting named by
/// <see cref="ConnectionName"/>.
/// </summary>
public sealed class ServiceBusDispatchOptions
{
    public const string SectionName = "ServiceBus";

    /// <summary>The app setting the Service Bus connection is read from (Functions conventions).</summary>
    public const string DefaultConnection = "ServiceBusConnection";

    /// <summary>
    /// The connection setting: <c>{name}</c> or <c>ConnectionStrings:{name}</c> holding a connection string, or
    /// <c>{name}__fullyQualifiedNamespace</c> with a managed identity (<c>{name}__credential</c>, <c>{name}__clientId</c>).
    /// </summary>
    public string ConnectionName { get; set; } = DefaultConnection;

    /// <summary>
    /// Concurrent <c>sms-dispatch</c> messages per instance. Unset: sized to the SMS pacer, enough batches in flight that
    /// their provider calls (each about <see cref="SmsSendLatency"/>, a few at once per batch) can fill
    /// <c>Twilio:SegmentsPerSecond</c> (see <see cref="SmsConcurrency"/>).
    /// </summary>
    public int? MaxConcurrentCalls { get; set; }

    /// <summary>
    /// Messages each processor fetches ahead of its handlers. Unset: as many as its concurrent calls, so a prefetched
    /// message waits at most about one batch before its handler starts (its lock runs from the fetch and is only renewed
    /// once a handler holds it).
    /// </summary>
    public int? PrefetchCount { get; set; }

    /// <summary>Concurrent <c>email-dispatch</c> messages per instance (the SMTP relay, not the SMS pacer, bounds email).</summary>
    public int EmailMaxConcurrentCalls { get; set; } = 4;

    /// <summary>One provider call's expected duration, used only to size the SMS concurrency from the pacer's rate.</summary>
    public TimeSpan SmsSendLatency { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long the processor keeps renewing a message's lock while its handler runs (the queue's lock is one minute; a
    /// batch of 50 paced SMS can take longer).
    /// </summary>
    public TimeSpan MaxAutoLockRenewalDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The upper bound of the derived SMS concurrency (unpaced, or a very high rate).</summary>
    public const int MaxDerivedConcurrency = 32;

    /// <summary>
    /// The concurrent calls of the <c>sms-dispatch</c> processor: <see cref="MaxConcurrentCalls"/> when set, otherwise
    /// ceil(<paramref name="segmentsPerSecond"/> × <see cref="SmsSendLatency"/> / <paramref name="sendsPerBatch"/>) batches,
    /// between 2 (one batch settles or waits on a slow call while another sends) and <see cref="MaxDerivedConcurrency"/>
    /// (unpaced, 0: the maximum). More would only wait on the pacer while holding their locks.
    /// </summary>
    /// <param name="sendsPerBatch">Provider calls one batch makes at once (<c>Pipeline:DispatchSendConcurrency</c>).</param>
    public int SmsConcurrency(double segmentsPerSecond, int sendsPerBatch = 1)
    {
        if (MaxConcurrentCalls is { } configured)
        {
            return configured;
        }

        if (segmentsPerSecond <= 0 || double.IsNaN(segmentsPerSecond))
        {
            return MaxDerivedConcurrency;
        }

        var needed = Math.Ceiling(segmentsPerSecond * SmsSendLatency.TotalSeconds / Math.Max(1, sendsPerBatch));
        return (int)Math.Clamp(needed, 2, MaxDerivedConcurrency);
    }

    /// <summary>The prefetch of a processor running <paramref name="concurrency"/> calls.</summary>
    public int Prefetch(int concurrency) => PrefetchCount ?? concurrency;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionName))
        {
            errors.Add($"{SectionName}:{nameof(ConnectionName)} must name the connection setting (default {DefaultConnection}).");
        }

        if (MaxConcurrentCalls is < 1 or > 500)
        {
            errors.Add($"{SectionName}:{nameof(MaxConcurrentCalls)} must be between 1 and 500.");
        }

        if (PrefetchCount is < 0 or > 1000)
        {
            errors.Add($"{SectionName}:{nameof(PrefetchCount)} must be between 0 and 1000.");
        }

        if (EmailMaxConcurrentCalls is < 1 or > 500)
        {
            errors.Add($"{SectionName}:{nameof(EmailMaxConcurrentCalls)} must be between 1 and 500.");
        }

        if (SmsSendLatency <= TimeSpan.Zero || SmsSendLatency > TimeSpan.FromSeconds(30))
        {
            errors.Add($"{SectionName}:{nameof(SmsSendLatency)} must be between 00:00:00.001 and 00:00:30.");
        }

        if (MaxAutoLockRenewalDuration < TimeSpan.Zero || MaxAutoLockRenewalDuration > TimeSpan.FromHours(1))
        {
            errors.Add($"{SectionName}:{nameof(MaxAutoLockRenewalDuration)} must be between 0 and 01:00:00.");
        }

        return errors;
    }
}

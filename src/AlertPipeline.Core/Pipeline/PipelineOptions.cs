using AlertPipeline.Core.Scheduling;
using NodaTime.Text;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Configuration section <c>Pipeline</c> (environment: <c>Pipeline__FanOutPageSize</c>, …). Validated on start; every
/// problem names its key.
/// </summary>
public sealed class PipelineOptions
{
    public const string SectionName = "Pipeline";

    /// <summary>Contacts read per fan-out chunk (one Table query page; 1–1000; default 1000: fuller row transactions and dispatch batches). Memory per chunk is bounded by it.</summary>
    public int FanOutPageSize { get; set; } = 1000;

    /// <summary>
    /// Contacts pages one fan-out chunk reads before it writes (1–10; default 2): a chunk's rows go into each partition
    /// of the alert's layout in one transaction of up to 100, so more contacts per write means fuller transactions, fewer
    /// opt-out range queries and fuller dispatch batches (fewer storage requests per row: bench/README.md, "Requests per
    /// fan-out"). Memory per chunk is about <see cref="FanOutPageSize"/> × this.
    /// </summary>
    public int FanOutPagesPerChunk { get; set; } = 2;

    /// <summary>
    /// Fan-out chunks one worker handles at once (1–32; default 4); further chunks the host hands over wait for a slot
    /// before reading their page. The worker's memory for fan-out is about this many pages (rows, table entities, request
    /// bodies); more in flight does not add speed, since Azurite's table inserts (and Table Storage's per-partition rate)
    /// are the limit, and the host's queue <c>batchSize</c> (shared with the send queues) would otherwise set it.
    /// </summary>
    public int FanOutChunksInFlight { get; set; } = 4;

    /// <summary>How many times the ScheduleTick puts one poisoned fan-out chunk back on its queue (0–20; 0: never).</summary>
    public int FanOutRedriveBudget { get; set; } = 3;

    /// <summary>How many times the ScheduleTick puts one poisoned dispatch message (per dispatch id) back on its queue (0–20; 0: never).</summary>
    public int DispatchRedriveBudget { get; set; } = 3;

    /// <summary>How many times the ScheduleTick puts one poisoned status callback back on <c>sms-status</c> (0–20; 0: never).</summary>
    public int StatusRedriveBudget { get; set; } = 3;

    /// <summary>
    /// The partition layout of alerts fanned out from now on (<see cref="Alerts.DeliveryLayout"/>): 0 (the default) chooses
    /// by audience size (<see cref="Alerts.DeliveryLayout.ForRows"/>: contacts counted up to
    /// <see cref="Alerts.DeliveryLayout.WidestThreshold"/> rows); 16, 64 or 256 forces that layout (benchmarks, tests).
    /// Alerts already stored keep the layout recorded on them.
    /// </summary>
    public int DeliveryBuckets { get; set; }

    /// <summary>Deliveries per dispatch message (1–<see cref="DispatchBatch.MaxRecipients"/>), all of one alert, channel and bucket.</summary>
    public int DispatchBatchSize { get; set; } = 50;

    /// <summary>At this delivery count (1-based) a dispatch message that would be retried is dead-lettered
    /// (<see cref="DeadLetterReasons.TooManyDeliveries"/>) instead; its rows stay Pending/Sending and are reported.</summary>
    public int MaxDispatchDeliveries { get; set; } = 10;

    /// <summary>Sends (and per-row reads) in flight at once within one dispatch batch (1–100); the gateway's pacer sets the rate.</summary>
    public int DispatchSendConcurrency { get; set; } = 16;

    /// <summary>
    /// Email handovers one worker has in flight at once (0–1000; 0 = unbounded), from the request of the handover mark to
    /// the end of data's reply (<see cref="HandoverGate"/>): what one SIGKILL of the worker can lose at most (a marked
    /// email whose end of data never went out is never re-sent). Sends wait for a slot once their body is written.
    /// </summary>
    public int EmailHandoversInFlight { get; set; } = 8;

    /// <summary>
    /// When an email's end of data follows its handover mark (<see cref="EmailEndOfData"/>; default
    /// <see cref="EmailEndOfData.MarkSent"/>): once the mark's request has left the worker, or once the table has
    /// answered it. docs/pipeline.md, "Email: the handover mark", weighs the two.
    /// </summary>
    public EmailEndOfData EmailEndOfDataAfter { get; set; } = EmailEndOfData.MarkSent;

    /// <summary>Section <c>Pipeline:Dispatch</c>: how dispatch messages travel.</summary>
    public DispatchOptions Dispatch { get; set; } = new();

    /// <summary>A Sending claim older than this is treated as abandoned (the sender died) and reconciled.</summary>
    public TimeSpan StuckSendingAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a sender waits, in-process, for another sender's fresh claim to finish or go stale before failing the
    /// invocation so the message is retried. Service Bus redelivers a failed message at once, so waiting here (bounded, well
    /// inside the function timeout) is what lets a crashed claim be picked up instead of dead-lettered.</summary>
    public TimeSpan MaxBusyWait { get; set; } = TimeSpan.FromMinutes(2.5);

    /// <summary>How often a waiting sender re-reads a claimed row.</summary>
    public TimeSpan BusyPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Reconciliation looks for provider messages created from the first claim minus this (clock skew).</summary>
    public TimeSpan ReconcileSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Entries kept per in-memory cache (alerts; campaigns, unions, branches).</summary>
    public int CacheCapacity { get; set; } = 1000;

    /// <summary>How long campaigns, unions and branches are cached (alerts never change and are kept until evicted).</summary>
    public TimeSpan ReferenceDataTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>One-click unsubscribe base URL (https); each email gets <c>{base}?ref={deliveryKey}</c>. None: no URL.</summary>
    public Uri? EmailUnsubscribeBaseUrl { get; set; }

    /// <summary>An unsubscribe mailbox for <c>List-Unsubscribe: &lt;mailto:…&gt;</c>. None: no mailto.</summary>
    public string? EmailUnsubscribeMailto { get; set; }

    /// <summary>The reply to HELP when the number has had no alert yet (no campaign to name).</summary>
    public string DefaultHelpText { get; set; } = "Union solidarity alerts. Reply STOP to unsubscribe, START to resubscribe.";

    /// <summary>The default <see cref="QuietHours"/>: no SMS between 21:00 and 08:00 in the contact's time zone.</summary>
    public const string DefaultQuietHours = "21:00-08:00";

    /// <summary>
    /// Quiet hours for SMS in the contact's time zone, <c>HH:mm-HH:mm</c> (start inclusive, end exclusive; a start after
    /// the end spans midnight). An SMS due inside them is deferred to their end, not dropped; one whose alert expires first
    /// is Skipped <c>Expired</c>. Empty or <c>off</c> disables them. Email is never deferred (it does not wake anyone).
    /// </summary>
    public string? QuietHours { get; set; } = DefaultQuietHours;

    /// <summary>How long after releasing a deferred SMS the ScheduleTick checks its row again (and re-emits the dispatch
    /// if the row is still Pending: the output write may have been lost). Doubles on each re-emission, up to an hour.</summary>
    public TimeSpan DeferredRedeliverAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Deferred dispatches the ScheduleTick handles per tick (the rest wait for the next minute).</summary>
    public int DeferredReleaseBatch { get; set; } = 2000;

    /// <summary>The parsed <see cref="QuietHours"/>, or null when they are off. Throws when the setting is invalid (see <see cref="Validate"/>).</summary>
    public QuietHours? QuietHoursWindow =>
        TryParseQuietHours(QuietHours, out var window, out var error) ? window : throw new InvalidOperationException(error);

    /// <summary>Parses <c>HH:mm-HH:mm</c>; empty or <c>off</c> is "no quiet hours" (true, null window).</summary>
    public static bool TryParseQuietHours(string? text, out QuietHours? window, out string? error)
    {
        window = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        var pattern = LocalTimePattern.CreateWithInvariantCulture("HH':'mm");
        if (parts.Length != 2 || !pattern.Parse(parts[0]).TryGetValue(default, out var start) || !pattern.Parse(parts[1]).TryGetValue(default, out var end))
        {
            error = $"{SectionName}:{nameof(QuietHours)} '{text}' is not a window such as 21:00-08:00 (24-hour HH:mm-HH:mm), or 'off'.";
            return false;
        }

        if (start == end)
        {
            error = $"{SectionName}:{nameof(QuietHours)} '{text}' starts and ends at the same time; give two different times, or 'off'.";
            return false;
        }

        window = new Scheduling.QuietHours(start, end);
        return true;
    }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!TryParseQuietHours(QuietHours, out _, out var quietError))
        {
            errors.Add(quietError!);
        }

        if (DeferredRedeliverAfter < TimeSpan.FromSeconds(30) || DeferredRedeliverAfter > TimeSpan.FromHours(1))
        {
            errors.Add($"{SectionName}:{nameof(DeferredRedeliverAfter)} must be between 00:00:30 and 01:00:00.");
        }

        if (DeferredReleaseBatch is < 1 or > 10000)
        {
            errors.Add($"{SectionName}:{nameof(DeferredReleaseBatch)} must be between 1 and 10000.");
        }
        if (DispatchBatchSize < 1 || DispatchBatchSize > DispatchBatch.MaxRecipients)
        {
            errors.Add($"{SectionName}:{nameof(DispatchBatchSize)} must be between 1 and {DispatchBatch.MaxRecipients}.");
        }

        if (DispatchSendConcurrency is < 1 or > 100)
        {
            errors.Add($"{SectionName}:{nameof(DispatchSendConcurrency)} must be between 1 and 100.");
        }

        if (EmailHandoversInFlight is < 0 or > 1000)
        {
            errors.Add($"{SectionName}:{nameof(EmailHandoversInFlight)} must be between 0 (unbounded) and 1000.");
        }

        if (!Enum.IsDefined(EmailEndOfDataAfter))
        {
            errors.Add($"{SectionName}:{nameof(EmailEndOfDataAfter)} must be {string.Join(" or ", Enum.GetNames<EmailEndOfData>())}.");
        }

        if (MaxDispatchDeliveries is < 1 or > 1000)
        {
            errors.Add($"{SectionName}:{nameof(MaxDispatchDeliveries)} must be between 1 and 1000.");
        }

        if (Dispatch.Transport is { } transport && !Enum.IsDefined(transport))
        {
            errors.Add($"{SectionName}:{nameof(Dispatch)}:{nameof(DispatchOptions.Transport)} must be {string.Join(" or ", Enum.GetNames<DispatchTransport>())}.");
        }

        if (Dispatch.StorageMaxDequeueCount < 1)
        {
            errors.Add($"{SectionName}:{nameof(Dispatch)}:{nameof(DispatchOptions.StorageMaxDequeueCount)} must be at least 1 (host.json's maxDequeueCount).");
        }

        if (FanOutChunksInFlight is < 1 or > 32)
        {
            errors.Add($"{SectionName}:{nameof(FanOutChunksInFlight)} must be between 1 and 32.");
        }

        if (DeliveryBuckets != 0 && !Alerts.DeliveryLayout.TryFromBuckets(DeliveryBuckets, out _))
        {
            errors.Add($"{SectionName}:{nameof(DeliveryBuckets)} must be 0 (by audience size), {string.Join(", ", Alerts.DeliveryLayout.All.Select(l => l.Buckets))}.");
        }

        if (FanOutRedriveBudget is < 0 or > 20)
        {
            errors.Add($"{SectionName}:{nameof(FanOutRedriveBudget)} must be between 0 and 20.");
        }

        if (DispatchRedriveBudget is < 0 or > 20)
        {
            errors.Add($"{SectionName}:{nameof(DispatchRedriveBudget)} must be between 0 and 20.");
        }

        if (StatusRedriveBudget is < 0 or > 20)
        {
            errors.Add($"{SectionName}:{nameof(StatusRedriveBudget)} must be between 0 and 20.");
        }

        if (FanOutPageSize is < 1 or > 1000)
        {
            errors.Add($"{SectionName}:{nameof(FanOutPageSize)} must be between 1 and 1000 (one Table query page).");
        }

        if (FanOutPagesPerChunk is < 1 or > 10)
        {
            errors.Add($"{SectionName}:{nameof(FanOutPagesPerChunk)} must be between 1 and 10.");
        }

        if (StuckSendingAfter < TimeSpan.FromSeconds(10))
        {
            errors.Add($"{SectionName}:{nameof(StuckSendingAfter)} must be at least 00:00:10 (longer than one provider call).");
        }

        if (MaxBusyWait < TimeSpan.Zero || MaxBusyWait > TimeSpan.FromMinutes(9))
        {
            errors.Add($"{SectionName}:{nameof(MaxBusyWait)} must be between 0 and 00:09:00 (inside the 10-minute function timeout).");
        }

        if (BusyPollInterval <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{nameof(BusyPollInterval)} must be positive.");
        }

        if (ReconcileSkew < TimeSpan.Zero || ReconcileSkew > TimeSpan.FromHours(1))
        {
            errors.Add($"{SectionName}:{nameof(ReconcileSkew)} must be between 0 and 01:00:00.");
        }

        if (CacheCapacity < 1)
        {
            errors.Add($"{SectionName}:{nameof(CacheCapacity)} must be at least 1.");
        }

        if (ReferenceDataTtl < TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{nameof(ReferenceDataTtl)} must not be negative.");
        }

        if (EmailUnsubscribeBaseUrl is { } url && (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(url.Query)))
        {
            errors.Add($"{SectionName}:{nameof(EmailUnsubscribeBaseUrl)} must be an absolute https URL without a query (one-click unsubscribe requires https).");
        }

        if (!string.IsNullOrWhiteSpace(EmailUnsubscribeMailto) && !System.Net.Mail.MailAddress.TryCreate(EmailUnsubscribeMailto, out _))
        {
            errors.Add($"{SectionName}:{nameof(EmailUnsubscribeMailto)} must be an email address.");
        }

        if (string.IsNullOrWhiteSpace(DefaultHelpText) || DefaultHelpText.Length > 300)
        {
            errors.Add($"{SectionName}:{nameof(DefaultHelpText)} must be 1–300 characters.");
        }

        return errors;
    }
}

/// <summary>Section <c>Pipeline:Dispatch</c>.</summary>
public sealed class DispatchOptions
{
    /// <summary>The section's full path (also bound as <see cref="PipelineOptions.Dispatch"/>).</summary>
    public const string SectionName = "Pipeline:Dispatch";

    /// <summary><c>StorageQueues</c> or <c>ServiceBus</c>; unset: <c>StorageQueues</c> unless a Service Bus connection is configured.</summary>
    public DispatchTransport? Transport { get; set; }

    /// <summary>Storage queues: the host's <c>maxDequeueCount</c> (host.json <c>extensions.queues</c>, 5). At this dequeue
    /// count a message that would be retried is written to the poison queue with its reason by the function itself, before
    /// the host would move it there without one. Keep it equal to host.json.</summary>
    public int StorageMaxDequeueCount { get; set; } = 5;
}

/// <summary>How dispatch messages travel (<c>Pipeline:Dispatch:Transport</c>).</summary>
public enum DispatchTransport
{
    /// <summary>Storage queues <c>sms-dispatch</c> / <c>email-dispatch</c>, consumed by the SendSms / SendEmail queue triggers (the local default).</summary>
    StorageQueues,

    /// <summary>Service Bus queues of the same names, consumed by the worker's processor (the Azure default).</summary>
    ServiceBus,
}

/// <summary>What an email's end of data waits for after the handover mark (<see cref="PipelineOptions.EmailEndOfDataAfter"/>).</summary>
public enum EmailEndOfData
{
    /// <summary>
    /// The mark's request has left the worker (<see cref="Ports.WriteSent"/>), and the claim is fresh: a kill after it
    /// still leaves the mark stored, and the end of data is right behind it. The table's answer is awaited afterwards.
    /// </summary>
    MarkSent,

    /// <summary>The table has answered the mark: a mark that fails sends nothing, but a kill while it is in flight loses the email.</summary>
    MarkStored,
}

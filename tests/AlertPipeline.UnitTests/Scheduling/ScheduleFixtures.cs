using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Core.Scheduling.Ports;
using AlertPipeline.Testing;
using NodaTime;
using static AlertPipeline.UnitTests.Scheduling.TestTime;

namespace AlertPipeline.UnitTests.Scheduling;

/// <summary>Schedules with realistic content for the tick tests, and a handler on a manual clock.</summary>
internal static class ScheduleFixtures
{
    public static readonly Duration Grace = Duration.FromMinutes(15);

    /// <summary>Zhanaozen, 16 December 10:00 Asia/Aqtau (05:00 UTC), on the day.</summary>
    public static readonly Instant ZhanaozenFire2025 = I("2025-12-16T05:00:00Z");

    public static ScheduledAlertContent Content(bool notices = true) => new(
        [Channel.Sms],
        AlertTemplates.Inline(
        [
            new MessageTemplate(LanguageTag.Parse("en"), "{{name}}: {{date}} {{time}}. {{link}}", null),
            new MessageTemplate(LanguageTag.Parse("ru"), "{{name}}: {{date}} в {{time}}. {{link}}", null),
        ]),
        variables: new ValueDictionary([new("link", "https://example.org/x")]),
        hearingMoved: notices
            ? AlertTemplates.Inline([new MessageTemplate(LanguageTag.Parse("en"), "{{name}}: the hearing of {{previousDate}} {{previousTime}} is moved to {{date}} {{time}}.", null)])
            : null,
        hearingCancelled: notices ? AlertTemplates.Stored(TemplateRef.Parse("hearing-cancelled")) : null);

    public static ScheduledAlert Zhanaozen(string id = "zhanaozen", params string[] reminders) => new(
        CampaignId.Parse("zhanaozen-solidarity"),
        new AnniversarySchedule(new ScheduleId(id), new AnnualDate(12, 16), T("10:00"), Aqtau, R(reminders.Length == 0 ? ["P0D"] : reminders), firstYear: 2012),
        Content(notices: false));

    /// <summary>The hearing of docs/scheduling.md: 14 March 2025 09:30 London, reminders P7D, P1D, the morning of at 07:00.</summary>
    public static ScheduledAlert Trial(string id = "trial-42") => new(
        CampaignId.Parse("free-the-oil-workers"),
        new TrialSchedule(new ScheduleId(id), L("2025-03-14T09:30"), London, R("P7D", "P1D", "P0D@07:00"), effectiveFrom: I("2025-02-01T00:00:00Z")),
        Content());

    /// <summary>Claims older than this are redelivered by the tick handlers built here.</summary>
    public static readonly Duration RedeliverAfter = Duration.FromMinutes(2);

    public static ScheduleTickHandler Handler(InMemoryScheduleStorage storage, ManualTimeProvider clock, IAlertEventPublisher? publisher = null) =>
        new(storage, storage, storage, publisher ?? new RecordingPublisher(), clock, new ScheduleTickOptions(Grace, redeliverAfter: RedeliverAfter));

    public static ScheduleTickHandler Handler(
        IScheduleStore schedules, IScheduleOccurrenceStore occurrences, IScheduleTickStore ticks, ManualTimeProvider clock, IAlertEventPublisher? publisher = null) =>
        new(schedules, occurrences, ticks, publisher ?? new RecordingPublisher(), clock, new ScheduleTickOptions(Grace, redeliverAfter: RedeliverAfter));

    public static ManualTimeProvider ClockAt(Instant instant) => new(instant.ToDateTimeOffset());

    public static void Set(this ManualTimeProvider clock, Instant instant) => clock.SetUtcNow(instant.ToDateTimeOffset());
}

/// <summary>An <see cref="IAlertEventPublisher"/> that records what it was given; <see cref="FailWith"/> makes the next publishes throw.</summary>
internal sealed class RecordingPublisher : IAlertEventPublisher
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<AlertEvent> _published = new();

    public IReadOnlyList<AlertEvent> Published => _published.ToList();

    public Exception? FailWith { get; set; }

    public async Task PublishAsync(AlertEvent alertEvent, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        if (FailWith is { } failure)
        {
            throw failure;
        }

        _published.Enqueue(alertEvent);
    }
}

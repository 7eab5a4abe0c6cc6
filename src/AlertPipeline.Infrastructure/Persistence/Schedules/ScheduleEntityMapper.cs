using System.Globalization;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Scheduling;
using Azure.Data.Tables;
using NodaTime;
using NodaTime.Text;

namespace AlertPipeline.Infrastructure.Persistence.Schedules;

/// <summary>
/// A <see cref="ScheduledAlert"/> as a <c>Schedules</c> row (PK <c>schedule</c>, RK schedule id) and back. Column layout in
/// docs/storage.md. Reading checks everything again (the schedule's constructors and the alert-event contract), so a row
/// edited by hand into something invalid is reported, never fired.
/// </summary>
internal static class ScheduleEntityMapper
{
    public const string Partition = "schedule";
    public const string AnniversaryKind = "anniversary";
    public const string TrialKind = "trial";

    /// <summary>Stored as FiresUntil for schedules without an end, so one range filter serves the tick.</summary>
    public static readonly DateTimeOffset NoEnd = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    private static readonly AnnualDatePattern AnnualDateFormat = AnnualDatePattern.Iso;
    private static readonly LocalDatePattern DateFormat = LocalDatePattern.Iso;
    private static readonly LocalTimePattern TimeFormat = LocalTimePattern.CreateWithInvariantCulture("HH:mm");
    private static readonly LocalDateTimePattern DateTimeFormat = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm");

    public static TableEntity ToEntity(ScheduledAlert alert)
    {
        var entity = new TableEntity(Partition, alert.Id.Value)
        {
            ["CampaignId"] = alert.CampaignId.Value,
            ["TimeZone"] = alert.Schedule.Zone.Id,
            ["Reminders"] = string.Join(',', alert.Schedule.Reminders.Select(r => r.Code)),
            ["EffectiveFrom"] = alert.Schedule.EffectiveFrom?.ToDateTimeOffset(),
            ["FiresUntil"] = alert.FiresUntil?.ToDateTimeOffset() ?? NoEnd,
        };
        switch (alert.Schedule)
        {
            case AnniversarySchedule anniversary:
                entity["Kind"] = AnniversaryKind;
                entity["Date"] = AnnualDateFormat.Format(anniversary.Date);
                entity["Time"] = TimeFormat.Format(anniversary.TimeOfDay);
                entity["FirstYear"] = anniversary.FirstYear;
                entity["LastYear"] = anniversary.LastYear;
                entity["Status"] = nameof(TrialStatus.Scheduled);
                entity["Revision"] = 0;
                break;
            case TrialSchedule trial:
                entity["Kind"] = TrialKind;
                entity["Date"] = DateFormat.Format(trial.Hearing.Date);
                entity["Time"] = TimeFormat.Format(trial.Hearing.TimeOfDay);
                entity["Status"] = trial.Status.ToString();
                entity["Revision"] = trial.Revision;
                entity["NoticeKind"] = trial.Notice?.Kind.ToString();
                entity["NoticeDueAt"] = trial.Notice?.DueAt.ToDateTimeOffset();
                entity["NoticePreviousHearing"] = trial.Notice?.PreviousHearing is { } previous ? DateTimeFormat.Format(previous) : null;
                break;
            default:
                throw new ArgumentException($"Unknown schedule type {alert.Schedule.GetType().Name}.", nameof(alert));
        }

        WriteContent(entity, alert.Content);
        return entity;
    }

    /// <exception cref="FormatException">The row is not a valid schedule; the message names the row and column.</exception>
    public static ScheduledAlert FromEntity(TableEntity entity)
    {
        var id = entity.RowKey;
        var column = "RowKey";
        try
        {
            var scheduleId = new ScheduleId(id);
            column = "CampaignId";
            var campaignId = CampaignId.Parse(Required(entity, column));
            column = "TimeZone";
            var zone = ScheduleTime.Zone(Required(entity, column));
            column = "Reminders";
            var reminders = ReminderSet.Parse(Required(entity, column).Split(','));
            column = "EffectiveFrom";
            var effectiveFrom = entity.GetDateTimeOffset(column) is { } from ? Instant.FromDateTimeOffset(from) : (Instant?)null;
            column = "Kind";
            Schedule schedule = Required(entity, column) switch
            {
                AnniversaryKind => ReadAnniversary(entity, scheduleId, zone, reminders, effectiveFrom, ref column),
                TrialKind => ReadTrial(entity, scheduleId, zone, reminders, effectiveFrom, ref column),
                var other => throw new FormatException($"unknown kind '{other}' (expected '{AnniversaryKind}' or '{TrialKind}')"),
            };
            column = "content";
            var content = ReadContent(entity, ref column);
            column = "(schedule)";
            return new ScheduledAlert(campaignId, schedule, content);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or UnparsableValueException)
        {
            throw new FormatException($"Schedules row '{id}', {column}: {ex.Message}", ex);
        }
    }

    private static AnniversarySchedule ReadAnniversary(
        TableEntity entity, ScheduleId id, DateTimeZone zone, ReminderSet reminders, Instant? effectiveFrom, ref string column)
    {
        column = "Date";
        var date = AnnualDateFormat.Parse(Required(entity, column)).GetValueOrThrow();
        column = "Time";
        var time = TimeFormat.Parse(Required(entity, column)).GetValueOrThrow();
        column = "FirstYear";
        var firstYear = entity.GetInt32(column) ?? throw new FormatException("is missing");
        column = "LastYear";
        var lastYear = entity.GetInt32(column);
        column = "(anniversary)";
        return new AnniversarySchedule(id, date, time, zone, reminders, firstYear, lastYear, effectiveFrom);
    }

    private static TrialSchedule ReadTrial(
        TableEntity entity, ScheduleId id, DateTimeZone zone, ReminderSet reminders, Instant? effectiveFrom, ref string column)
    {
        column = "Date";
        var date = DateFormat.Parse(Required(entity, column)).GetValueOrThrow();
        column = "Time";
        var time = TimeFormat.Parse(Required(entity, column)).GetValueOrThrow();
        column = "Status";
        var status = Enum.TryParse<TrialStatus>(Required(entity, column), ignoreCase: false, out var s) && Enum.IsDefined(s)
            ? s
            : throw new FormatException($"'{entity.GetString(column)}' is not Scheduled or Cancelled");
        column = "Revision";
        var revision = entity.GetInt32(column) ?? throw new FormatException("is missing");
        column = "NoticeKind";
        HearingNotice? notice = null;
        if (entity.GetString(column) is { } kindText)
        {
            var kind = kindText switch
            {
                nameof(OccurrenceKind.HearingMoved) => OccurrenceKind.HearingMoved,
                nameof(OccurrenceKind.HearingCancelled) => OccurrenceKind.HearingCancelled,
                _ => throw new FormatException($"'{kindText}' is not HearingMoved or HearingCancelled"),
            };
            column = "NoticeDueAt";
            var dueAt = entity.GetDateTimeOffset(column) ?? throw new FormatException("is missing");
            column = "NoticePreviousHearing";
            var previous = entity.GetString(column) is { } text ? DateTimeFormat.Parse(text).GetValueOrThrow() : (LocalDateTime?)null;
            notice = new HearingNotice(kind, revision, Instant.FromDateTimeOffset(dueAt), previous);
        }

        column = "(trial)";
        return new TrialSchedule(id, date.At(time), zone, reminders, effectiveFrom, revision, status, notice);
    }

    private static void WriteContent(TableEntity entity, ScheduledAlertContent content)
    {
        entity["Channels"] = string.Join(',', content.Channels.Select(c => c.ToWireName()));
        entity["ExpiresAfterEvent"] = content.ExpiresAfterEvent == Duration.Zero
            ? null
            : content.ExpiresAfterEvent.ToTimeSpan().ToString("c", CultureInfo.InvariantCulture);
        var reminders = ScheduleContentJson.Write(content, content.Reminders);
        entity["Audience"] = reminders.GetValueOrDefault("audience");
        entity["Variables"] = reminders.GetValueOrDefault("variables");
        WriteTemplates(entity, "", content, content.Reminders);
        WriteTemplates(entity, "Moved", content, content.HearingMoved);
        WriteTemplates(entity, "Cancelled", content, content.HearingCancelled);
    }

    private static void WriteTemplates(TableEntity entity, string prefix, ScheduledAlertContent content, AlertTemplates? templates)
    {
        var fields = templates is null ? null : ScheduleContentJson.Write(content, templates);
        entity[prefix + "Templates"] = fields?.GetValueOrDefault("templates");
        entity[prefix + "TemplateRef"] = fields?.GetValueOrDefault("templateRef");
    }

    private static ScheduledAlertContent ReadContent(TableEntity entity, ref string column)
    {
        column = "Channels";
        var channels = Required(entity, column).Split(',')
            .Select(c => ChannelNames.TryParse(c, out var channel) ? channel : throw new FormatException($"unknown channel '{c}'"))
            .ToList();
        column = "ExpiresAfterEvent";
        var expiresAfter = entity.GetString(column) is { } text
            ? Duration.FromTimeSpan(TimeSpan.ParseExact(text, "c", CultureInfo.InvariantCulture))
            : Duration.Zero;
        column = "Templates";
        var (audience, variables, reminders) = ScheduleContentJson.Read(
            channels, entity.GetString("Audience"), entity.GetString("Variables"), entity.GetString("Templates"), entity.GetString("TemplateRef"));
        column = "MovedTemplates";
        var withPrevious = variables.With(
            [new(ScheduledAlertContent.PreviousDateVariable, "x"), new(ScheduledAlertContent.PreviousTimeVariable, "x")]);
        var moved = ReadOptionalTemplates(entity, "Moved", channels, withPrevious);
        column = "CancelledTemplates";
        var cancelled = ReadOptionalTemplates(entity, "Cancelled", channels, variables);
        column = "(content)";
        return new ScheduledAlertContent(channels, reminders, audience, variables, moved, cancelled, expiresAfter);
    }

    private static AlertTemplates? ReadOptionalTemplates(TableEntity entity, string prefix, List<Channel> channels, IEnumerable<KeyValuePair<string, string>> variables)
    {
        var templates = entity.GetString(prefix + "Templates");
        var reference = entity.GetString(prefix + "TemplateRef");
        return templates is null && reference is null
            ? null
            : ScheduleContentJson.Read(channels, null, ScheduleContentJson.WriteVariables(variables), templates, reference).Templates;
    }

    private static string Required(TableEntity entity, string column) =>
        entity.GetString(column) is { Length: > 0 } value ? value : throw new FormatException("is missing");
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Infrastructure.Persistence.Schedules;
using AlertPipeline.Infrastructure.Pipeline;
using NodaTime;
using NodaTime.Text;

namespace AlertPipeline.Infrastructure.Api;

/// <summary>
/// A schedule as the API takes and shows it: one field per stored column (docs/storage.md, "Schedules"), with
/// <c>templates</c>, <c>audience</c> and <c>variables</c> in the alert-event contract's shapes (docs/events.md).
/// </summary>
public sealed record ScheduleBody(
    string? Kind,
    string? ScheduleId,
    string? TimeZone,
    string? Date,
    string? Time,
    IReadOnlyList<string>? Reminders,
    int? FirstYear,
    int? LastYear,
    IReadOnlyList<string>? Channels,
    JsonElement? Audience,
    JsonElement? Variables,
    JsonElement? Templates,
    string? TemplateRef,
    JsonElement? MovedTemplates,
    string? MovedTemplateRef,
    JsonElement? CancelledTemplates,
    string? CancelledTemplateRef,
    string? ExpiresAfterEvent);

/// <summary>
/// Schedule ids as the API shows them and as they are stored. The <c>Schedules</c> table and the alerts' event ids are
/// global, so a schedule is stored as <c>{campaignId}--{scheduleId}</c>: two campaigns can use the same name, and
/// creating one can never answer 409 because of another campaign's schedule. The API id must not contain <c>--</c>,
/// so the stored id splits back unambiguously at its last <c>--</c>.
/// </summary>
public static class CampaignScheduleId
{
    public const string Separator = "--";

    /// <summary>The stored id (and alerts' event id) of <paramref name="scheduleId"/> in <paramref name="campaignId"/>.</summary>
    public static ScheduleId Stored(CampaignId campaignId, string scheduleId) => new($"{campaignId.Value}{Separator}{scheduleId}");

    /// <summary>The schedule id within its campaign (what the API shows), from a stored id.</summary>
    public static string Local(ScheduleId stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var at = stored.Value.LastIndexOf(Separator, StringComparison.Ordinal);
        return at < 0 ? stored.Value : stored.Value[(at + Separator.Length)..];
    }

    /// <summary>Null when <paramref name="scheduleId"/> is a valid schedule id of <paramref name="campaignId"/>, else why not.</summary>
    public static string? Problem(CampaignId campaignId, string? scheduleId)
    {
        if (string.IsNullOrEmpty(scheduleId))
        {
            return "is required";
        }

        if (!EventId.TryParse(scheduleId, out _, out var error))
        {
            return error.Replace("event id", "the schedule id", StringComparison.Ordinal);
        }

        if (scheduleId.Contains(Separator, StringComparison.Ordinal))
        {
            return $"must not contain '{Separator}'";
        }

        var room = Core.Scheduling.ScheduleId.MaxLength - campaignId.Value.Length - Separator.Length;
        return scheduleId.Length > room
            ? $"is {scheduleId.Length} characters long; with the campaign id '{campaignId}' at most {room} are allowed"
            : null;
    }

    /// <summary>The stored id for a route value, or null when the value cannot name a schedule of the campaign.</summary>
    public static ScheduleId? FromRoute(CampaignId campaignId, string scheduleId) =>
        Problem(campaignId, scheduleId) is null ? Stored(campaignId, scheduleId) : null;
}

/// <summary>Validates a <see cref="ScheduleBody"/> into a <see cref="ScheduledAlert"/>, naming every invalid field.</summary>
public static class ScheduleFields
{
    public const string AnniversaryKind = "anniversary";
    public const string TrialKind = "trial";

    private static readonly LocalTimePattern TimeFormat = LocalTimePattern.CreateWithInvariantCulture("HH:mm");
    private static readonly LocalDatePattern DateFormat = LocalDatePattern.Iso;
    private static readonly AnnualDatePattern AnnualFormat = AnnualDatePattern.Iso;

    /// <summary>The schedule, or null with <paramref name="errors"/> filled (field = the body's JSON path).</summary>
    /// <param name="now">Creation time: the schedule's EffectiveFrom (earlier occurrences are skipped, not missed).</param>
    public static ScheduledAlert? Validate(CampaignId campaignId, ScheduleBody body, Instant now, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(campaignId);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(errors);
        var start = errors.Count;
        var kind = body.Kind;
        if (kind is not (AnniversaryKind or TrialKind))
        {
            errors.Add(new("kind", kind is null ? "is required ('anniversary' or 'trial')" : $"'{kind}' is not 'anniversary' or 'trial'"));
        }

        if (CampaignScheduleId.Problem(campaignId, body.ScheduleId) is { } idProblem)
        {
            errors.Add(new("scheduleId", idProblem));
        }

        DateTimeZone? zone = null;
        if (string.IsNullOrWhiteSpace(body.TimeZone))
        {
            errors.Add(new("timeZone", "is required (an IANA id such as 'Europe/London')"));
        }
        else if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(body.TimeZone) is { } found)
        {
            zone = found;
        }
        else
        {
            errors.Add(new("timeZone", $"unknown time zone '{body.TimeZone}' (expected an IANA id such as 'Asia/Aqtau')"));
        }

        LocalTime? time = null;
        if (body.Time is null)
        {
            errors.Add(new("time", "is required (local time, HH:mm)"));
        }
        else if (TimeFormat.Parse(body.Time) is { Success: true } parsedTime)
        {
            time = parsedTime.Value;
        }
        else
        {
            errors.Add(new("time", $"'{body.Time}' is not a local time HH:mm (24-hour, whole minutes)"));
        }

        var date = ReadDate(kind, body.Date, errors);
        var reminders = ReadReminders(body.Reminders, time, errors);
        ReadYears(kind, body, errors);
        var channels = ReadChannels(body.Channels, errors);
        var content = ReadContent(kind, body, channels, errors);

        if (kind == TrialKind && date is LocalDate hearingDate && time is { } hearingTime && zone is not null
            && ScheduleTime.Resolve(hearingDate.At(hearingTime), zone).ToInstant() <= now)
        {
            errors.Add(new("date", $"the hearing {hearingDate:uuuu-MM-dd} {hearingTime:HH:mm} ({zone.Id}) is not in the future"));
        }

        if (errors.Count > start)
        {
            return null;
        }

        try
        {
            var id = CampaignScheduleId.Stored(campaignId, body.ScheduleId!);
            Schedule schedule = kind == AnniversaryKind
                ? new AnniversarySchedule(id, (AnnualDate)date!, time!.Value, zone!, reminders!, body.FirstYear!.Value, body.LastYear, now)
                : new TrialSchedule(id, ((LocalDate)date!).At(time!.Value), zone!, reminders!, now);
            var alert = new ScheduledAlert(campaignId, schedule, content!);
            return StorageProblems(alert, errors) ? null : alert;
        }
        catch (ArgumentException ex)
        {
            errors.Add(new("body", ex.Message));
            return null;
        }
    }

    /// <summary>
    /// Whether a column of the schedule's row would be over Table Storage's limit for one string property
    /// (<see cref="MaxStoredCharacters"/> UTF-16 characters, 64 KiB); each such column is reported as its body field.
    /// </summary>
    private static bool StorageProblems(ScheduledAlert alert, List<FieldError> errors)
    {
        var before = errors.Count;
        foreach (var (column, value) in ScheduleEntityMapper.ToEntity(alert))
        {
            if (value is string text && text.Length > MaxStoredCharacters)
            {
                errors.Add(new(
                    char.ToLowerInvariant(column[0]) + column[1..],
                    $"is {text.Length:N0} characters once stored; Table Storage holds at most {MaxStoredCharacters:N0} characters (64 KiB) in one property"));
            }
        }

        return errors.Count > before;
    }

    /// <summary>Table Storage's limit for one string property, in UTF-16 characters (64 KiB).</summary>
    public const int MaxStoredCharacters = 64 * 1024 / 2;

    /// <summary>Room left in a queue message for what a fired alert adds to the content (ids, dates, expiry).</summary>
    private const int EnvelopeAllowance = 1024;

    /// <summary><c>expiresAfterEvent</c> as shown and stored (<c>06:00:00</c>, <c>1.00:00:00</c>); null when zero.</summary>
    public static string? FormatExpiry(Duration expiresAfterEvent) =>
        expiresAfterEvent == Duration.Zero ? null : expiresAfterEvent.ToTimeSpan().ToString("c", CultureInfo.InvariantCulture);

    /// <summary>The contract JSON (<c>audience</c>, <c>variables</c>, <c>templates</c> or <c>templateRef</c>) of stored content, by field name.</summary>
    public static IReadOnlyDictionary<string, JsonElement> ContentJson(ScheduledAlertContent content, AlertTemplates templates) =>
        ScheduleContentJson.Elements(content, templates);

    private static object? ReadDate(string? kind, string? text, List<FieldError> errors)
    {
        if (text is null)
        {
            errors.Add(new("date", kind == TrialKind ? "is required (the hearing's local date, yyyy-MM-dd)" : "is required (month and day, MM-dd)"));
            return null;
        }

        if (kind == TrialKind)
        {
            var parsed = DateFormat.Parse(text);
            if (parsed.Success)
            {
                return parsed.Value;
            }

            var leap = text.Length == 10 && text.EndsWith("-02-29", StringComparison.Ordinal)
                ? $" ({text[..4]} has no 29 February)"
                : string.Empty;
            errors.Add(new("date", $"'{text}' is not a date yyyy-MM-dd{leap}"));
            return null;
        }

        if (kind == AnniversaryKind)
        {
            var parsed = AnnualFormat.Parse(text);
            if (parsed.Success)
            {
                return parsed.Value;
            }

            errors.Add(new("date", $"'{text}' is not a day of the year MM-dd (02-29 is allowed: it falls on 28 February in other years)"));
        }

        return null;
    }

    private static ReminderSet? ReadReminders(IReadOnlyList<string>? codes, LocalTime? eventTime, List<FieldError> errors)
    {
        if (codes is null || codes.Count == 0)
        {
            errors.Add(new("reminders", "at least one reminder is required (e.g. 'P7D', 'P1D', 'P0D@07:00', 'PT2H')"));
            return null;
        }

        var list = new List<Core.Scheduling.Reminder>();
        var ok = true;
        for (var i = 0; i < codes.Count; i++)
        {
            try
            {
                var reminder = Core.Scheduling.Reminder.Parse(codes[i]);
                if (eventTime is { } at && reminder is LocalDayReminder { Days: 0, At: { } fireTime } && fireTime > at)
                {
                    errors.Add(new($"reminders[{i}]", $"'{reminder.Code}' would fire after the event at {at:HH:mm} on the same day"));
                    ok = false;
                }
                else if (reminder is ElapsedReminder elapsed && elapsed.Elapsed.Seconds != 0)
                {
                    errors.Add(new($"reminders[{i}]", $"'{reminder.Code}' must be whole minutes"));
                    ok = false;
                }

                list.Add(reminder);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                errors.Add(new($"reminders[{i}]", ex.Message));
                ok = false;
            }
        }

        if (!ok)
        {
            return null;
        }

        try
        {
            return new ReminderSet(list);
        }
        catch (ArgumentException ex)
        {
            errors.Add(new("reminders", FirstSentence(ex.Message)));
            return null;
        }
    }

    private static void ReadYears(string? kind, ScheduleBody body, List<FieldError> errors)
    {
        if (kind == TrialKind)
        {
            if (body.FirstYear is not null)
            {
                errors.Add(new("firstYear", "is for anniversaries only"));
            }

            if (body.LastYear is not null)
            {
                errors.Add(new("lastYear", "is for anniversaries only"));
            }

            return;
        }

        if (body.FirstYear is not { } first)
        {
            errors.Add(new("firstYear", "is required (the first anniversary year to remind of)"));
        }
        else if (first is < AnniversarySchedule.MinYear or > AnniversarySchedule.MaxYear)
        {
            errors.Add(new("firstYear", $"must be between {AnniversarySchedule.MinYear} and {AnniversarySchedule.MaxYear}"));
        }

        if (body.LastYear is { } last && (last > AnniversarySchedule.MaxYear || (body.FirstYear is { } f && last < f)))
        {
            errors.Add(new("lastYear", $"must be between firstYear and {AnniversarySchedule.MaxYear}"));
        }
    }

    private static IReadOnlyList<string>? ReadChannels(IReadOnlyList<string>? channels, List<FieldError> errors)
    {
        if (channels is null || channels.Count == 0)
        {
            errors.Add(new("channels", "at least one channel is required ('sms', 'email')"));
            return null;
        }

        return channels;
    }

    private static ScheduledAlertContent? ReadContent(string? kind, ScheduleBody body, IReadOnlyList<string>? channels, List<FieldError> errors)
    {
        TimeSpan expiry = TimeSpan.Zero;
        if (body.ExpiresAfterEvent is { } expiryText
            && (!TimeSpan.TryParseExact(expiryText, "c", CultureInfo.InvariantCulture, out expiry)
                || expiry < TimeSpan.Zero || Duration.FromTimeSpan(expiry) > ScheduledAlertContent.MaxExpiresAfterEvent))
        {
            errors.Add(new("expiresAfterEvent", $"'{expiryText}' is not a duration hh:mm:ss (or d.hh:mm:ss) from 0 to 7 days"));
        }

        if (kind != TrialKind)
        {
            foreach (var (name, present) in new[]
            {
                ("movedTemplates", body.MovedTemplates is not null), ("movedTemplateRef", body.MovedTemplateRef is not null),
                ("cancelledTemplates", body.CancelledTemplates is not null), ("cancelledTemplateRef", body.CancelledTemplateRef is not null),
            })
            {
                if (present)
                {
                    errors.Add(new(name, "is for trials only"));
                }
            }
        }

        if (channels is null)
        {
            return null;
        }

        // The contract's own parser checks channels, audience, variables and templates, on a probe event.
        var reminders = Probe(channels, body.Audience, body.Variables, body.Templates, body.TemplateRef, extraVariables: false, errors, string.Empty);
        if (reminders is null)
        {
            return null;
        }

        var moved = body.MovedTemplates is not null || body.MovedTemplateRef is not null
            ? Probe(channels, null, body.Variables, body.MovedTemplates, body.MovedTemplateRef, extraVariables: true, errors, "moved")
            : null;
        var cancelled = body.CancelledTemplates is not null || body.CancelledTemplateRef is not null
            ? Probe(channels, null, body.Variables, body.CancelledTemplates, body.CancelledTemplateRef, extraVariables: false, errors, "cancelled")
            : null;
        if ((body.MovedTemplates is not null || body.MovedTemplateRef is not null) && moved is null
            || (body.CancelledTemplates is not null || body.CancelledTemplateRef is not null) && cancelled is null)
        {
            return null;
        }

        try
        {
            return new ScheduledAlertContent(
                reminders.Channels,
                Templates(reminders),
                reminders.Audience,
                reminders.Variables,
                moved is null ? null : Templates(moved),
                cancelled is null ? null : Templates(cancelled),
                Duration.FromTimeSpan(expiry));
        }
        catch (ArgumentException ex)
        {
            errors.Add(new("body", ex.Message));
            return null;
        }
    }

    private static AlertTemplates Templates(AlertEvent probe) =>
        probe.TemplateRef is { } reference ? AlertTemplates.Stored(reference) : AlertTemplates.Inline(probe.Templates);

    /// <summary>
    /// Parses the content fields as an alert event would carry them. Errors are renamed to the body's fields: for the
    /// notices (<paramref name="prefix"/> <c>moved</c>/<c>cancelled</c>) only their templates' errors are reported.
    /// </summary>
    private static AlertEvent? Probe(
        IReadOnlyList<string> channels, JsonElement? audience, JsonElement? variables, JsonElement? templates, string? templateRef,
        bool extraVariables, List<FieldError> errors, string prefix)
    {
        var json = new StringBuilder()
            .Append("{\"schemaVersion\":1,\"eventId\":\"probe\",\"kind\":\"anniversary\",\"occurredAt\":\"2000-01-01T00:00:00Z\",")
            .Append("\"campaignId\":\"probe\",\"occurrence\":{\"localDateTime\":\"2000-01-01T00:00:00\",\"timeZone\":\"UTC\"},")
            .Append("\"reminder\":\"immediate\",\"expiresAt\":\"2000-01-01T00:00:01Z\",\"channels\":")
            .Append(JsonSerializer.Serialize(channels));
        Append(json, "audience", audience);
        if (extraVariables)
        {
            // Hearing-moved notices may also use {{previousDate}} and {{previousTime}} (set by the notice itself).
            var merged = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            if (variables is { ValueKind: JsonValueKind.Object } given)
            {
                foreach (var property in given.EnumerateObject())
                {
                    merged[property.Name] = property.Value;
                }
            }

            using var extra = JsonDocument.Parse("\"x\"");
            merged[ScheduledAlertContent.PreviousDateVariable] = extra.RootElement.Clone();
            merged[ScheduledAlertContent.PreviousTimeVariable] = extra.RootElement.Clone();
            json.Append(",\"variables\":").Append(JsonSerializer.Serialize(merged));
        }
        else
        {
            Append(json, "variables", variables);
        }

        Append(json, "templates", templates);
        if (templateRef is not null)
        {
            json.Append(",\"templateRef\":").Append(JsonSerializer.Serialize(templateRef));
        }

        var parsed = AlertEventParser.Parse(json.Append('}').ToString());
        if (parsed.TryGetValue(out var probe))
        {
            var size = PipelineQueues.EncodedSize(probe) + EnvelopeAllowance;
            if (size > PipelineQueues.MaxEventMessageBytes)
            {
                errors.Add(new(
                    prefix.Length == 0 ? "templates" : prefix + "Templates",
                    $"make each alert about {size:N0} bytes once encoded for the alert-events queue; a queue message holds at most {PipelineQueues.MaxEventMessageBytes:N0} bytes"));
                return null;
            }

            return probe;
        }

        foreach (var error in parsed.Errors)
        {
            var field = error.Path.StartsWith("$.", StringComparison.Ordinal) ? error.Path[2..] : error.Path.TrimStart('$');
            if (prefix.Length > 0)
            {
                if (!field.StartsWith("template", StringComparison.Ordinal))
                {
                    continue;
                }

                field = prefix + char.ToUpperInvariant(field[0]) + field[1..];
            }

            errors.Add(new(field.Length == 0 ? "body" : field, error.Message));
        }

        return null;
    }

    private static void Append(StringBuilder json, string name, JsonElement? value)
    {
        if (value is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } element)
        {
            json.Append(",\"").Append(name).Append("\":").Append(element.GetRawText());
        }
    }

    private static string FirstSentence(string message)
    {
        var paren = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return paren < 0 ? message : message[..paren];
    }
}

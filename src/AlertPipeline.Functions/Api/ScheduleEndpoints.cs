using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Core.Scheduling.Ports;
using AlertPipeline.Infrastructure.Api;
using NodaTime;
using NodaTime.Text;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// A campaign's schedules (organiser keys, through <see cref="ApiGate.RunForCampaignAsync"/>): list and get for the owner
/// and subscribing unions; create and the trial changes of <see cref="ScheduleTickHandler"/> (postpone, cancel) for the
/// owner only (a subscriber's organiser gets 403; each change is audited in every subscriber's log too). A schedule is stored under <see cref="CampaignScheduleId"/> (<c>{campaign}--{schedule}</c>), so another campaign's schedule is simply not found.
/// </summary>
internal static class ScheduleEndpoints
{
    /// <summary>How many upcoming occurrences a created or fetched schedule shows.</summary>
    public const int UpcomingCount = 10;

    private static readonly InstantPattern UtcFormat = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss'Z'");
    private static readonly OffsetDateTimePattern LocalFormat = OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mmo<+HH:mm>");
    private static readonly LocalDateTimePattern HearingFormat = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm");

    public sealed record PostponeBody(string? Hearing, bool? Notify);

    public sealed record CancelBody(bool? Notify);

    public sealed record OccurrenceView(string Key, string Kind, string? Reminder, string FireAt, string FireAtLocal, string EventAtLocal);

    public sealed record RecordView(string Key, string State, string FireAt, string RecordedAt, string? AlertId);

    public sealed record NoticeView(string Kind, int Revision, string DueAt, string? PreviousHearing);

    public sealed record ChangeView(
        IReadOnlyList<OccurrenceView> Withdrawn, IReadOnlyList<string> AlreadyFired, IReadOnlyList<OccurrenceView> Pending,
        IReadOnlyList<OccurrenceView> Skipped, OccurrenceView? Notice);

    public sealed record ScheduleView(
        string ScheduleId, string EventId, string CampaignId, string Kind, string TimeZone, string Date, string Time,
        IReadOnlyList<string> Reminders, int? FirstYear, int? LastYear, IReadOnlyList<string> Channels,
        JsonElement? Audience, JsonElement? Variables, JsonElement? Templates, string? TemplateRef,
        JsonElement? MovedTemplates, string? MovedTemplateRef, JsonElement? CancelledTemplates, string? CancelledTemplateRef,
        string? ExpiresAfterEvent, string Status, int Revision, string? EffectiveFrom, NoticeView? Notice,
        IReadOnlyList<OccurrenceView>? Next = null, IReadOnlyList<RecordView>? Records = null, ChangeView? Change = null);

    public static Task<IResult> SchedulesAsync(
        HttpContext context, string union, string campaign, ApiGate gate, IScheduleStore store, IScheduleCatalog catalog, ApiOptions options, TimeProvider time) =>
        gate.RunForCampaignAsync(context, union, campaign, string.Empty, HttpMethods.IsGet(context.Request.Method) ? CampaignUse.Read : CampaignUse.ChangeSchedules, async (_, found, _) =>
        {
            var campaignId = found.CampaignId;
            if (HttpMethods.IsGet(context.Request.Method))
            {
                var stored = await catalog.ListAsync(campaignId, campaignId.Value + CampaignScheduleId.Separator, context.RequestAborted);
                return Results.Ok(new { items = stored.Select(s => View(s.Schedule)) });
            }

            var (body, problem) = await ApiBodies.ReadJsonAsync<ScheduleBody>(context.Request, options.MaxBodyBytes, context.RequestAborted);
            if (problem is not null)
            {
                return problem;
            }

            var now = Instant.FromDateTimeOffset(time.GetUtcNow());
            var errors = new List<FieldError>();
            var schedule = ScheduleFields.Validate(campaignId, body!, now, errors);
            if (schedule is null)
            {
                return ApiProblems.Invalid(errors);
            }

            if (await store.TryAddAsync(schedule, context.RequestAborted) is null)
            {
                return ApiProblems.Conflict($"Schedule '{body!.ScheduleId}' already exists in campaign '{campaignId}'.");
            }

            return Results.Created(
                $"/api/unions/{union}/campaigns/{campaignId}/schedules/{body!.ScheduleId}",
                View(schedule) with { Next = Upcoming(schedule, now, new HashSet<OccurrenceKey>()) });
        });

    public static Task<IResult> ScheduleAsync(
        HttpContext context, string union, string campaign, string schedule, ApiGate gate, IScheduleStore store, IScheduleOccurrenceStore occurrences, TimeProvider time) =>
        gate.RunForCampaignAsync(context, union, campaign, $"schedule={KeyEndpoints.Safe(schedule)}", CampaignUse.Read, async (_, found, _) =>
        {
            if (await FindAsync(store, found.CampaignId, schedule, context.RequestAborted) is not { } stored)
            {
                return ApiProblems.NotFound();
            }

            return Results.Ok(await DetailAsync(stored.Schedule, occurrences, time, context.RequestAborted));
        });

    public static Task<IResult> PostponeAsync(
        HttpContext context, string union, string campaign, string schedule, ApiGate gate, IScheduleStore store, IScheduleOccurrenceStore occurrences,
        ScheduleTickHandler trials, ApiOptions options, TimeProvider time) =>
        gate.RunForCampaignAsync(context, union, campaign, $"schedule={KeyEndpoints.Safe(schedule)} postpone", CampaignUse.ChangeSchedules, async (_, found, _) =>
        {
            if (await FindAsync(store, found.CampaignId, schedule, context.RequestAborted) is not { } stored)
            {
                return ApiProblems.NotFound();
            }

            var (body, problem) = await ApiBodies.ReadJsonAsync<PostponeBody>(context.Request, options.MaxBodyBytes, context.RequestAborted);
            if (problem is not null)
            {
                return problem;
            }

            var errors = new List<FieldError>();
            LocalDateTime hearing = default;
            if (body!.Hearing is null)
            {
                errors.Add(new("hearing", "is required (the new local date and time, yyyy-MM-ddTHH:mm, in the schedule's time zone)"));
            }
            else if (HearingFormat.Parse(body.Hearing) is { Success: true } parsed)
            {
                hearing = parsed.Value;
            }
            else if (LocalDateTimePattern.GeneralIso.Parse(body.Hearing) is { Success: true, Value.Second: 0 } withSeconds)
            {
                hearing = withSeconds.Value;
            }
            else
            {
                errors.Add(new("hearing", $"'{body.Hearing}' is not a local date and time yyyy-MM-ddTHH:mm (whole minutes)"));
            }

            if (body.Notify is null)
            {
                errors.Add(new("notify", "is required: true to send the hearing-moved notice, false to change silently"));
            }

            return errors.Count > 0
                ? ApiProblems.Invalid(errors)
                : await ChangeAsync(stored, occurrences, time, () => trials.PostponeTrialAsync(stored.Schedule.Id, hearing, body.Notify!.Value, context.RequestAborted), context.RequestAborted);
        });

    public static Task<IResult> CancelAsync(
        HttpContext context, string union, string campaign, string schedule, ApiGate gate, IScheduleStore store, IScheduleOccurrenceStore occurrences,
        ScheduleTickHandler trials, ApiOptions options, TimeProvider time) =>
        gate.RunForCampaignAsync(context, union, campaign, $"schedule={KeyEndpoints.Safe(schedule)} cancel", CampaignUse.ChangeSchedules, async (_, found, _) =>
        {
            if (await FindAsync(store, found.CampaignId, schedule, context.RequestAborted) is not { } stored)
            {
                return ApiProblems.NotFound();
            }

            var (body, problem) = await ApiBodies.ReadJsonAsync<CancelBody>(context.Request, options.MaxBodyBytes, context.RequestAborted);
            if (problem is not null)
            {
                return problem;
            }

            return body!.Notify is not { } notify
                ? ApiProblems.Invalid("notify", "is required: true to send the hearing-cancelled notice, false to cancel silently")
                : await ChangeAsync(stored, occurrences, time, () => trials.CancelTrialAsync(stored.Schedule.Id, notify, context.RequestAborted), context.RequestAborted);
        });

    /// <summary>
    /// Runs a trial change (read with ETag → reinstate re-planned keys → ETag-conditional replace → Withdrawn records) and
    /// maps its refusals: another writer in between → 409 (nothing written); not a trial, or cancelled → 409; a time that
    /// is not in the future or unchanged → 400 <c>hearing</c>; notify without notice templates → 400 <c>notify</c>.
    /// </summary>
    private static async Task<IResult> ChangeAsync(
        StoredSchedule stored, IScheduleOccurrenceStore occurrences, TimeProvider time, Func<Task<TrialChange>> change, CancellationToken cancellationToken)
    {
        if (stored.Schedule.Schedule is not TrialSchedule)
        {
            return ApiProblems.Conflict("Only trials (hearings) can be postponed or cancelled; this schedule is an anniversary.");
        }

        TrialChange result;
        try
        {
            result = await change();
        }
        catch (ScheduleNotFoundException)
        {
            return ApiProblems.NotFound();
        }
        catch (ScheduleConcurrencyException)
        {
            return ApiProblems.Conflict("The schedule was changed by someone else meanwhile; nothing was written. Read it again and retry.");
        }
        catch (InvalidOperationException ex)
        {
            return ApiProblems.Conflict(Local(ex.Message, stored.Schedule));
        }
        catch (ArgumentException ex)
        {
            var field = ex.ParamName == "newHearing" ? "hearing" : "notify";
            return ApiProblems.Invalid(field, Local(WithoutParameter(ex.Message), stored.Schedule));
        }

        var updated = stored.Schedule.WithSchedule(result.Schedule);
        var detail = await DetailAsync(updated, occurrences, time, cancellationToken);
        var zone = updated.Schedule.Zone;
        return Results.Ok(detail with
        {
            Change = new ChangeView(
                [.. result.Withdrawn.Select(o => Occurrence(o, zone))],
                [.. result.AlreadyFired.Select(k => k.Value)],
                [.. result.Pending.Select(o => Occurrence(o, zone))],
                [.. result.Skipped.Select(o => Occurrence(o, zone))],
                result.Notice is { } notice ? Occurrence(notice, zone) : null),
        });
    }

    private static async Task<StoredSchedule?> FindAsync(IScheduleStore store, CampaignId campaignId, string schedule, CancellationToken cancellationToken) =>
        CampaignScheduleId.FromRoute(campaignId, schedule) is { } id
        && await store.GetAsync(id, cancellationToken) is { } stored
        && stored.Schedule.CampaignId == campaignId
            ? stored
            : null;

    private static async Task<ScheduleView> DetailAsync(ScheduledAlert schedule, IScheduleOccurrenceStore occurrences, TimeProvider time, CancellationToken cancellationToken)
    {
        var records = await occurrences.ListAsync(schedule.Id, cancellationToken);
        var recorded = records.Select(r => r.Key).ToHashSet();
        var now = Instant.FromDateTimeOffset(time.GetUtcNow());
        return View(schedule) with
        {
            Next = Upcoming(schedule, now, recorded),
            Records = [.. records.OrderBy(r => r.FireAt).Select(r => new RecordView(
                r.Key.Value, r.State.ToString(), UtcFormat.Format(r.FireAt), UtcFormat.Format(r.RecordedAt), r.AlertId?.Value))],
        };
    }

    /// <summary>What is still to fire: a trial's planned occurrences not yet recorded; an anniversary's next ones after now.</summary>
    private static List<OccurrenceView> Upcoming(ScheduledAlert schedule, Instant now, IReadOnlySet<OccurrenceKey> recorded)
    {
        var zone = schedule.Schedule.Zone;
        var planned = schedule.Schedule switch
        {
            TrialSchedule trial => trial.Plan().Active.AsEnumerable(),
            var other => other.OccurrencesBetween(now, now + Duration.FromDays(3 * 366)),
        };
        return [.. planned.Where(o => !recorded.Contains(o.Key)).Take(UpcomingCount).Select(o => Occurrence(o, zone))];
    }

    private static OccurrenceView Occurrence(ScheduledOccurrence o, DateTimeZone zone) => new(
        o.Key.Value,
        o.Kind switch { OccurrenceKind.HearingMoved => "hearing-moved", OccurrenceKind.HearingCancelled => "hearing-cancelled", _ => "reminder" },
        o.Reminder?.Code,
        UtcFormat.Format(o.FireAt),
        LocalFormat.Format(o.FireAt.InZone(zone).ToOffsetDateTime()),
        LocalFormat.Format(o.EventAt.ToOffsetDateTime()));

    internal static ScheduleView View(ScheduledAlert alert)
    {
        var content = alert.Content;
        var reminders = ScheduleFields.ContentJson(content, content.Reminders);
        var moved = content.HearingMoved is { } m ? ScheduleFields.ContentJson(content, m) : null;
        var cancelled = content.HearingCancelled is { } c ? ScheduleFields.ContentJson(content, c) : null;
        var (kind, date, timeOfDay, firstYear, lastYear, status, revision, notice) = alert.Schedule switch
        {
            AnniversarySchedule a => (ScheduleFields.AnniversaryKind, AnnualDatePattern.Iso.Format(a.Date), a.TimeOfDay, (int?)a.FirstYear, a.LastYear, "scheduled", 0, (NoticeView?)null),
            TrialSchedule t => (ScheduleFields.TrialKind, LocalDatePattern.Iso.Format(t.Hearing.Date), t.Hearing.TimeOfDay, null, null,
                t.Status == TrialStatus.Cancelled ? "cancelled" : "scheduled", t.Revision,
                t.Notice is { } n
                    ? new NoticeView(n.Kind == OccurrenceKind.HearingMoved ? "hearing-moved" : "hearing-cancelled", n.Revision, UtcFormat.Format(n.DueAt),
                        n.PreviousHearing is { } p ? HearingFormat.Format(p) : null)
                    : null),
            _ => throw new InvalidOperationException($"Unknown schedule type {alert.Schedule.GetType().Name}."),
        };
        return new ScheduleView(
            CampaignScheduleId.Local(alert.Id), alert.EventId.Value, alert.CampaignId.Value, kind, alert.Schedule.Zone.Id, date,
            LocalTimePattern.CreateWithInvariantCulture("HH:mm").Format(timeOfDay),
            [.. alert.Schedule.Reminders.Select(r => r.Code)], firstYear, lastYear, [.. content.Channels.Select(ch => ch.ToWireName())],
            reminders.TryGetValue("audience", out var audience) ? audience : null,
            reminders.TryGetValue("variables", out var variables) ? variables : null,
            reminders.TryGetValue("templates", out var templates) ? templates : null,
            reminders.TryGetValue("templateRef", out var templateRef) ? templateRef.GetString() : null,
            moved is not null && moved.TryGetValue("templates", out var mt) ? mt : null,
            moved is not null && moved.TryGetValue("templateRef", out var mr) ? mr.GetString() : null,
            cancelled is not null && cancelled.TryGetValue("templates", out var ct) ? ct : null,
            cancelled is not null && cancelled.TryGetValue("templateRef", out var cr) ? cr.GetString() : null,
            ScheduleFields.FormatExpiry(content.ExpiresAfterEvent), status, revision,
            alert.Schedule.EffectiveFrom is { } from ? UtcFormat.Format(from) : null, notice);
    }

    /// <summary>Core's messages name the stored id (<c>campaign--schedule</c>); show the API's id.</summary>
    private static string Local(string message, ScheduledAlert schedule) =>
        message.Replace($"'{schedule.Id.Value}'", $"'{CampaignScheduleId.Local(schedule.Id)}'", StringComparison.Ordinal);

    private static string WithoutParameter(string message)
    {
        var at = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return at < 0 ? message : message[..at];
    }
}

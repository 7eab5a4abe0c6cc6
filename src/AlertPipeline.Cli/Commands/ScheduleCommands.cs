using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AlertPipeline.Cli.Output;
using Spectre.Console;

namespace AlertPipeline.Cli.Commands;

/// <summary><c>schedules list|show|create|postpone|cancel</c> (organiser key; a campaign the union subscribes to).</summary>
internal static class ScheduleCommands
{
    private static readonly string[] HearingFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"];

    public static Command Create(CliApp app)
    {
        var campaign = CampaignOption();
        var list = new Command("list", "List the campaign's schedules.") { campaign };
        app.SetAction(list, async run =>
        {
            var schedules = await run.Api.ListSchedulesAsync(run.Union, run.Value(campaign)!, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(schedules);
            }
            else
            {
                ShowList(run.Out, schedules);
            }

            return ExitCodes.Success;
        });

        var showCampaign = CampaignOption();
        var showId = ScheduleArgument();
        var show = new Command("show", "Show a schedule: its upcoming occurrences and what has fired, been missed or withdrawn.") { showId, showCampaign };
        app.SetAction(show, async run =>
        {
            var schedule = await run.Api.GetScheduleAsync(run.Union, run.Value(showCampaign)!, run.Value(showId)!, run.CancellationToken);
            Show(run, schedule, null);
            return ExitCodes.Success;
        });

        var createCampaign = CampaignOption();
        var file = new Option<FileInfo>("--file") { Description = "The schedule as JSON (docs/scheduling.md).", Required = true };
        var create = new Command("create", "Create a schedule from a JSON file.") { createCampaign, file };
        app.SetAction(create, async run =>
        {
            var body = run.ReadJsonFile(file);
            var created = await run.Api.CreateScheduleAsync(run.Union, run.Value(createCampaign)!, body, run.CancellationToken);
            Show(run, created, null);
            return ExitCodes.Success;
        });

        var postponeCampaign = CampaignOption();
        var postponeId = ScheduleArgument();
        var hearing = new Option<string>("--hearing") { Description = "The new hearing, local time of the schedule: 2027-03-14T09:30.", Required = true };
        hearing.Validators.Add(r =>
        {
            if (!DateTime.TryParseExact(r.GetValueOrDefault<string>(), HearingFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                r.AddError("Option '--hearing' must be a local date and time such as 2027-03-14T09:30.");
            }
        });
        var postponeNotify = NotifyOption("Tell the audience about the new date.");
        var postpone = new Command("postpone", "Move a trial's hearing; its reminders follow.") { postponeId, postponeCampaign, hearing, postponeNotify };
        app.SetAction(postpone, async run =>
        {
            var schedule = await run.Api.PostponeScheduleAsync(
                run.Union, run.Value(postponeCampaign)!, run.Value(postponeId)!, run.Value(hearing)!, run.Value(postponeNotify), run.CancellationToken);
            Show(run, schedule, null);
            return ExitCodes.Success;
        });

        var cancelCampaign = CampaignOption();
        var cancelId = ScheduleArgument();
        var cancelNotify = NotifyOption("Tell the audience that it is cancelled.");
        var cancel = new Command("cancel", "Cancel a schedule: nothing more is sent from it.") { cancelId, cancelCampaign, cancelNotify };
        app.SetAction(cancel, async run =>
        {
            var schedule = await run.Api.CancelScheduleAsync(run.Union, run.Value(cancelCampaign)!, run.Value(cancelId)!, run.Value(cancelNotify), run.CancellationToken);
            Show(run, schedule, null);
            return ExitCodes.Success;
        });

        return new Command("schedules", "A campaign's schedules: anniversaries and trials with reminders (organiser key).") { list, show, create, postpone, cancel };
    }

    internal static Option<string> CampaignOption() => new("--campaign") { Description = "The campaign's id.", Required = true };

    private static Argument<string> ScheduleArgument() => new("scheduleId") { Description = "The schedule's id." };

    private static Option<bool> NotifyOption(string description) => new("--notify") { Description = description };

    private static void Show(Invocation run, JsonElement value, string? emptyMessage)
    {
        if (run.Json)
        {
            run.WriteJson(value);
        }
        else if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("scheduleId", out _))
        {
            ShowSchedule(run.Out, value);
        }
        else
        {
            Render.Json(run.Out, value, emptyMessage);
        }
    }

    /// <summary>One row per schedule: id, kind, when (local, in its zone), reminders, status and revision.</summary>
    private static void ShowList(IAnsiConsole console, JsonElement schedules)
    {
        var items = schedules.ValueKind == JsonValueKind.Object && schedules.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().ToList()
            : [];
        if (items.Count == 0)
        {
            console.WriteLine("The campaign has no schedules.");
            return;
        }

        var table = Render.Table("schedule", "kind", "date", "time", "time zone", "reminders", "channels", "status", "revision");
        foreach (var s in items)
        {
            table.Row(
                Field(s, "scheduleId"), Field(s, "kind"), Field(s, "date"), Field(s, "time"), Field(s, "timeZone"),
                Joined(s, "reminders"), Joined(s, "channels"), Field(s, "status"), Field(s, "revision"));
        }

        console.Write(table);
    }

    /// <summary>A schedule: its settings, the notice if any, what is still to fire (<c>next</c>), what has been recorded, and a change's effect.</summary>
    private static void ShowSchedule(IAnsiConsole console, JsonElement s)
    {
        var summary = Render.Table("field", "value");
        foreach (var name in new[] { "scheduleId", "eventId", "campaignId", "kind", "status", "timeZone", "date", "time", "firstYear", "lastYear", "expiresAfterEvent", "revision", "effectiveFrom" })
        {
            if (s.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null)
            {
                summary.Row(name, Render.Cell(v));
            }
        }

        summary.Row("reminders", Joined(s, "reminders"));
        summary.Row("channels", Joined(s, "channels"));
        if (s.TryGetProperty("notice", out var notice) && notice.ValueKind == JsonValueKind.Object)
        {
            summary.Row("notice", $"{Field(notice, "kind")} (revision {Field(notice, "revision")}) due {Field(notice, "dueAt")}"
                + (Field(notice, "previousHearing") is { } previous and not "—" ? $", previous hearing {previous}" : string.Empty));
        }

        console.Write(summary);
        if (s.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.Array)
        {
            console.MarkupLine("[bold]next[/]");
            Occurrences(console, next, "Nothing more to fire.");
        }

        if (s.TryGetProperty("records", out var records) && records.ValueKind == JsonValueKind.Array && records.GetArrayLength() > 0)
        {
            console.MarkupLine("[bold]records[/]");
            var table = Render.Table("state", "fire at (UTC)", "recorded at", "alert", "key");
            foreach (var r in records.EnumerateArray())
            {
                table.Row(Field(r, "state"), Field(r, "fireAt"), Field(r, "recordedAt"), Field(r, "alertId"), Field(r, "key"));
            }

            console.Write(table);
        }

        if (s.TryGetProperty("change", out var change) && change.ValueKind == JsonValueKind.Object)
        {
            int Count(string name) => change.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.GetArrayLength() : 0;
            var noticeText = change.TryGetProperty("notice", out var n) && n.ValueKind == JsonValueKind.Object ? $"; notice {Field(n, "kind")} at {Field(n, "fireAt")}" : string.Empty;
            console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"change: {Count("withdrawn")} withdrawn, {Count("alreadyFired")} already fired, {Count("pending")} planned, {Count("skipped")} skipped (already past){noticeText}"));
        }
    }

    private static void Occurrences(IAnsiConsole console, JsonElement occurrences, string emptyMessage)
    {
        if (occurrences.GetArrayLength() == 0)
        {
            console.WriteLine(emptyMessage);
            return;
        }

        var table = Render.Table("kind", "reminder", "fire at (UTC)", "fire at (local)", "event at (local)");
        foreach (var o in occurrences.EnumerateArray())
        {
            table.Row(Field(o, "kind"), Field(o, "reminder"), Field(o, "fireAt"), Field(o, "fireAtLocal"), Field(o, "eventAtLocal"));
        }

        console.Write(table);
    }

    private static string Field(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out var v) ? Render.Cell(v) : "—";

    private static string Joined(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? string.Join(", ", v.EnumerateArray().Select(Render.Cell))
            : "—";
}

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
            Show(run, schedules, "The campaign has no schedules.");
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
        else
        {
            Render.Json(run.Out, value, emptyMessage);
        }
    }
}

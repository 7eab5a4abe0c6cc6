using System.CommandLine;
using System.Text.Json;
using AlertPipeline.Cli.Output;
using Spectre.Console;

namespace AlertPipeline.Cli.Commands;

/// <summary><c>preview</c>, <c>send</c> and <c>report</c> (organiser key).</summary>
internal static class AlertCommands
{
    public static IEnumerable<Command> Create(CliApp app)
    {
        var previewCampaign = ScheduleCommands.CampaignOption();
        var previewFile = EventFileOption();
        var preview = new Command("preview", "Preview an alert: the texts per language, SMS segments, audience and estimated cost. Sends nothing.")
        {
            previewCampaign, previewFile,
        };
        app.SetAction(preview, async run =>
        {
            var body = run.ReadJsonFile(previewFile);
            var result = await run.Api.PreviewAsync(run.Union, run.Value(previewCampaign)!, body, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(result);
            }
            else
            {
                ShowPreview(run.Out, result);
            }

            return ExitCodes.Success;
        });

        var sendCampaign = ScheduleCommands.CampaignOption();
        var sendFile = EventFileOption();
        var send = new Command("send", "Send an alert now. Sending the same file again returns the same alert (no duplicate).") { sendCampaign, sendFile };
        app.SetAction(send, async run =>
        {
            var body = run.ReadJsonFile(sendFile);
            var sent = await run.Api.SendAlertAsync(run.Union, run.Value(sendCampaign)!, body, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(sent);
            }
            else
            {
                Render.Success(run.Out, $"Accepted: alert {sent.AlertId} (event {sent.EventId}).");
                run.Out.WriteLine($"Follow it with: alertpipeline report {sent.AlertId}");
            }

            return ExitCodes.Success;
        });

        var alertId = new Argument<string>("alertId") { Description = "The alert's id (from 'send')." };
        var csv = new Option<FileInfo>("--csv") { Description = "Write the per-recipient report as CSV to this file." };
        var report = new Command("report", "An alert's delivery report; --csv writes the per-recipient CSV to a file.") { alertId, csv };
        app.SetAction(report, async run =>
        {
            if (run.Value(csv) is { } file)
            {
                var api = run.Api;
                var union = run.Union;
                var partial = file.FullName + ".part";
                try
                {
                    await using (var output = File.Create(partial))
                    {
                        await api.GetReportCsvAsync(union, run.Value(alertId)!, output, run.CancellationToken);
                    }

                    File.Move(partial, file.FullName, overwrite: true);
                }
                finally
                {
                    File.Delete(partial);
                }

                Render.Success(run.Out, $"Wrote {file.FullName}.");
                return ExitCodes.Success;
            }

            var result = await run.Api.GetReportAsync(run.Union, run.Value(alertId)!, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(result);
            }
            else
            {
                Render.Json(run.Out, result);
            }

            return ExitCodes.Success;
        });

        return [preview, send, report];
    }

    private static Option<FileInfo> EventFileOption() =>
        new("--file") { Description = "The alert event as JSON (docs/events.md); the campaign comes from --campaign.", Required = true };

    private static void ShowPreview(IAnsiConsole console, JsonElement preview)
    {
        if (preview.ValueKind != JsonValueKind.Object || !preview.TryGetProperty("languages", out var languages) || languages.ValueKind != JsonValueKind.Array)
        {
            Render.Json(console, preview);
            return;
        }

        var table = Render.Table("language", "recipients", "sms text", "encoding", "segments", "characters", "email subject");
        foreach (var language in languages.EnumerateArray())
        {
            var sms = language.TryGetProperty("sms", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
            var email = language.TryGetProperty("email", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
            table.Row(
                Field(language, "language"), Field(language, "recipients"), Field(sms, "text"), Field(sms, "encoding"),
                Field(sms, "segments"), Field(sms, "characters"), Field(email, "subject"));
        }

        console.Write(table);
        foreach (var name in new[] { "audience", "cost" })
        {
            if (preview.TryGetProperty(name, out var part))
            {
                console.MarkupLine($"[bold]{name}[/]");
                console.Write(Render.Properties(part));
            }
        }
    }

    private static string? Field(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out var v) ? Render.Cell(v) : null;
}

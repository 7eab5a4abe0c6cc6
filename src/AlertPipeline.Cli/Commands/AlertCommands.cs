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
                ShowReport(run.Out, result);
            }

            return ExitCodes.Success;
        });

        var redriveId = new Argument<string>("alertId") { Description = "The alert's id." };
        var redrive = new Command("redrive-fanout", "Re-drive the union's fan-out chunks, the dispatch batches and the status callbacks of an alert that stayed poisoned (the report says FAN-OUT, DISPATCH or STATUS CALLBACKS INCOMPLETE).") { redriveId };
        app.SetAction(redrive, async run =>
        {
            var result = await run.Api.RedriveFanOutAsync(run.Union, run.Value(redriveId)!, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(result);
            }
            else
            {
                Render.Success(run.Out, $"{Field(result, "chunksToRedrive")} chunk(s), {Field(result, "batchesToRedrive")} dispatch batch(es) and {Field(result, "statusesToRedrive")} status callback(s) will be re-driven by the ScheduleTick within about 10 minutes; follow with: alertpipeline report {run.Value(redriveId)}");
            }

            return ExitCodes.Success;
        });

        return [preview, send, report, redrive];
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

        console.WriteLine($"alert {Field(preview, "alertId")}" + (Field(preview, "expired") == "yes" ? " — EXPIRED: a send now would skip every recipient" : string.Empty));
        var table = Render.Table("language", "sms recipients", "email recipients", "sms text", "encoding", "characters", "segments", "email subject", "problem");
        foreach (var language in languages.EnumerateArray())
        {
            var recipients = Part(language, "recipients");
            var sms = Part(language, "sms");
            var email = Part(language, "email");
            table.Row(
                Field(language, "language"), Field(recipients, "sms"), Field(recipients, "email"), Field(sms, "text"), Field(sms, "encoding"),
                Field(sms, "characters"), Field(sms, "segments"), Field(email, "subject"), Field(language, "problem"));
        }

        console.Write(table);
        var audience = Part(preview, "audience");
        console.WriteLine($"audience: {Field(audience, "listings")} listing(s), {Field(audience, "distinctRows")} distinct row(s)");
        if (Field(preview, "partial") == "yes")
        {
            console.WriteLine($"PARTIAL: counted within the time allowed, {Field(audience, "branchesRead")} of {Field(audience, "branchesInAudience")} branch(es) read; every figure is a lower bound (a send reaches everyone)");
        }

        if (audience.TryGetProperty("channels", out var channels) && channels.ValueKind == JsonValueKind.Array)
        {
            var byChannel = Render.Table("channel", "recipients", "duplicates", "skipped", "segments");
            foreach (var channel in channels.EnumerateArray())
            {
                byChannel.Row(Field(channel, "channel"), Field(channel, "recipients"), Field(channel, "duplicates"), Counts(Part(channel, "skipped")), Field(channel, "segments"));
            }

            console.Write(byChannel);
        }

        var cost = Part(preview, "cost");
        console.WriteLine($"cost: {Field(cost, "segments")} segment(s) × {Field(cost, "pricePerSegment")} {Field(cost, "currency")} = estimate {Field(cost, "estimate")} {Field(cost, "currency")}");
    }

    /// <summary>The report: the alert, then per channel its total, counts by status, skips, failures and segments (this union's rows only).</summary>
    private static void ShowReport(IAnsiConsole console, JsonElement report)
    {
        if (report.ValueKind != JsonValueKind.Object || !report.TryGetProperty("channels", out var channels) || channels.ValueKind != JsonValueKind.Array)
        {
            Render.Json(console, report);
            return;
        }

        console.WriteLine($"alert {Field(report, "alertId")} (event {Field(report, "eventId")}, campaign {Field(report, "campaignId")}), union {Field(report, "unionId")}");
        console.WriteLine($"received {Field(report, "receivedAt")}; {Field(report, "rows")} row(s)" + (Field(report, "expiredOnArrival") == "yes" ? "; EXPIRED on arrival" : string.Empty));
        if (report.TryGetProperty("asOf", out _))
        {
            console.WriteLine(Field(report, "partial") == "yes"
                ? $"STILL COUNTING (started {Field(report, "asOf")}): only the rows counted so far; ask again in a few seconds"
                : $"counts as of {Field(report, "asOf")}");
        }

        var table = Render.Table("channel", "total", "by status", "skipped", "failures", "segments");
        foreach (var channel in channels.EnumerateArray())
        {
            var failures = channel.TryGetProperty("failures", out var f) && f.ValueKind == JsonValueKind.Array
                ? string.Join(", ", f.EnumerateArray().Select(x =>
                    $"{Field(x, "status")} {Field(x, "reason")}" + (Field(x, "errorCode") is { } code and not "—" ? $" ({code})" : string.Empty) + $": {Field(x, "count")}"))
                : string.Empty;
            table.Row(
                Field(channel, "channel"), Field(channel, "total"), Counts(Part(channel, "byStatus")), Counts(Part(channel, "skipped")),
                failures.Length == 0 ? "—" : failures, Field(channel, "segments"));
        }

        console.Write(table);
        foreach (var channel in channels.EnumerateArray())
        {
            if (channel.TryGetProperty("unconfirmed", out var unconfirmed) && unconfirmed.ValueKind == JsonValueKind.Number && unconfirmed.GetInt32() > 0)
            {
                console.WriteLine($"{Field(channel, "channel")}: {unconfirmed.GetInt32()} sent but unconfirmed (handed over, the server's answer was lost; not re-sent)");
            }
        }

        if (Part(report, "fanOut") is { ValueKind: JsonValueKind.Object } fanOut && Field(fanOut, "incomplete") == "yes")
        {
            console.WriteLine($"FAN-OUT INCOMPLETE: {Field(fanOut, "chunksPoisoned")} chunk(s) stayed poisoned; some members have no row. Re-drive: alertpipeline redrive-fanout {Field(report, "alertId")}");
        }

        if (Part(report, "dispatch") is { ValueKind: JsonValueKind.Object } dispatch && Field(dispatch, "incomplete") == "yes")
        {
            console.WriteLine($"DISPATCH INCOMPLETE: {Field(dispatch, "batchesPoisoned")} dispatch batch(es) stayed poisoned; their rows stay Pending or Sending. Re-drive: alertpipeline redrive-fanout {Field(report, "alertId")}");
        }

        if (Part(report, "statusCallbacks") is { ValueKind: JsonValueKind.Object } statuses)
        {
            if (Field(statuses, "incomplete") == "yes")
            {
                console.WriteLine($"STATUS CALLBACKS INCOMPLETE: {Field(statuses, "poisoned")} status callback(s) stayed poisoned (TooManyDeliveries); those rows keep their last status. Re-drive: alertpipeline redrive-fanout {Field(report, "alertId")}");
            }

            if (statuses.TryGetProperty("malformed", out var malformed) && malformed.ValueKind == JsonValueKind.Number && malformed.GetInt32() > 0)
            {
                console.WriteLine($"{malformed.GetInt32()} malformed status callback(s) stay on sms-status-poison (MalformedMessage; never re-driven)");
            }
        }
    }

    private static JsonElement Part(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : default;

    /// <summary><c>{"delivered": 1, "failed": 2}</c> as <c>delivered 1, failed 2</c>.</summary>
    private static string Counts(JsonElement counts)
    {
        var text = counts.ValueKind == JsonValueKind.Object
            ? string.Join(", ", counts.EnumerateObject().Select(p => $"{p.Name} {Render.Cell(p.Value)}"))
            : string.Empty;
        return text.Length == 0 ? "—" : text;
    }

    private static string Field(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out var v) ? Render.Cell(v) : "—";
}

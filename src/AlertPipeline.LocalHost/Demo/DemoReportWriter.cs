using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Core.Ports;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AlertPipeline.LocalHost.Demo;

/// <summary>Prints the per-alert delivery report as tables (plain text when the output is not a terminal).</summary>
public static class DemoReportWriter
{
    public static void Write(
        TextWriter output,
        IReadOnlyList<(DemoEvent Event, AlertRecord? Alert, DeliveryReport Report)> alerts,
        DemoChannels channels,
        IReadOnlyList<(string Queue, int Count)> poison,
        TimeSpan elapsed,
        bool settled)
    {
        var terminal = output == Console.Out && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal)
        {
            console.Profile.Width = 116;
        }

        console.WriteLine();
        foreach (var (demoEvent, alert, report) in alerts)
        {
            WriteAlert(console, demoEvent, alert, report);
        }

        console.Write(new Rule("[bold]Where the messages went[/]").LeftJustified());
        var files = new Grid().AddColumn().AddColumn();
        files.AddRow(new Text("SMS"), new Text(channels.UsesTwilio
            ? "Twilio (settings in the environment / local.settings.json)"
            : $"{channels.SmsOutbox}  ({DemoChannels.CountLines(channels.SmsOutbox)} messages)"));
        files.AddRow(new Text("email"), new Text(channels.UsesSmtp
            ? "SMTP (settings in the environment / local.settings.json)"
            : $"{channels.EmailOutbox}  ({DemoChannels.CountLines(channels.EmailOutbox)} messages)"));
        var poisoned = poison.Where(p => p.Count > 0).ToList();
        files.AddRow(new Text("poison queues"), new Text(poisoned.Count == 0 ? "empty" : string.Join(", ", poisoned.Select(p => $"{p.Queue}: {p.Count}"))));
        console.Write(files);
        console.WriteLine();
        console.MarkupLine(settled
            ? $"[green]Demo finished in {elapsed.TotalSeconds:0.0} s: every delivery settled.[/]"
            : $"[red]Demo stopped after {elapsed.TotalSeconds:0.0} s with deliveries not settled (see the local host's log).[/]");
    }

    private static void WriteAlert(IAnsiConsole console, DemoEvent demoEvent, AlertRecord? alert, DeliveryReport report)
    {
        var e = demoEvent.Event;
        console.Write(new Rule($"[bold]{Markup.Escape(e.EventId.ToString())}[/] — {Markup.Escape(e.Kind.ToWireName())}, {Markup.Escape(e.Reminder.ToString())} reminder").LeftJustified());
        console.WriteLine($"alert {report.AlertId}, campaign {e.CampaignId}, channels {string.Join(", ", e.Channels.Select(c => c.ToWireName()))}");
        console.WriteLine($"occurrence {e.Occurrence} ({e.Occurrence.Instant}), expires {e.ExpiresAt}");
        if (alert is null)
        {
            console.MarkupLine("[red]not stored: fan-out never accepted it (see the poison queue and the log)[/]");
            return;
        }

        if (alert.ExpiredOnArrival)
        {
            console.MarkupLine("[yellow]expired on arrival: nothing was dispatched[/]");
        }

        var channels = e.Channels.ToList();
        var table = new Table().Border(TableBorder.Rounded).AddColumn("status");
        foreach (var channel in channels)
        {
            table.AddColumn(new TableColumn(channel.ToWireName()).RightAligned());
        }

        foreach (var status in Enum.GetValues<DeliveryStatus>().Where(s => channels.Any(c => report.Count(c, s) > 0)))
        {
            table.AddRow([new Text(status.ToString()), .. channels.Select(c => (IRenderable)new Text(report.Count(c, status).ToString()))]);
        }

        table.AddRow([new Markup("[bold]rows[/]"), .. channels.Select(c => (IRenderable)new Markup($"[bold]{report.Count(c)}[/]"))]);
        console.Write(table);

        var details = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var channel in channels)
        {
            var skipped = report.Skipped.Where(s => s.Key.Channel == channel).OrderByDescending(s => s.Value).ThenBy(s => s.Key.Reason).ToList();
            if (skipped.Count > 0)
            {
                details.AddRow($"skipped ({channel.ToWireName()})", string.Join(", ", skipped.Select(s => $"{s.Key.Reason} {s.Value}")));
            }

            if (channel == Channel.Sms && report.Deferred > 0)
            {
                details.AddRow("deferred (sms)", $"{report.Deferred} pending until the end of the contacts' quiet hours (Pipeline:QuietHours)");
            }

            var failed = report.Failed.Where(f => f.Key.Channel == channel).OrderByDescending(f => f.Value).ToList();
            if (failed.Count > 0)
            {
                details.AddRow($"failed ({channel.ToWireName()})", string.Join(", ", failed.Select(f => $"{f.Key.Reason}{(f.Key.ErrorCode is null ? string.Empty : " " + f.Key.ErrorCode)} {f.Value}")));
            }

            var languages = report.Languages.Where(l => l.Key.Channel == channel).OrderByDescending(l => l.Value).ToList();
            if (languages.Count > 0)
            {
                details.AddRow($"languages ({channel.ToWireName()})", string.Join(", ", languages.Select(l => $"{l.Key.Language} {l.Value}")));
            }
        }

        if (channels.Contains(Channel.Sms))
        {
            var encodings = report.Encodings.OrderBy(x => x.Key).ToList();
            details.AddRow("SMS segments", encodings.Count == 0
                ? "none sent"
                : $"{report.TotalSegments} in total: " + string.Join("; ", encodings.Select(x => $"{Name(x.Key)} {x.Value.Messages} messages, {x.Value.Segments} segments")));
        }

        console.Write(details);
        console.WriteLine();
    }

    private static string Name(SmsEncodingKind encoding) => encoding == SmsEncodingKind.Gsm7 ? "GSM-7" : "UCS-2";
}

using System.CommandLine;
using AlertPipeline.Cli.Api;
using AlertPipeline.Cli.Output;
using AlertPipeline.Core.Common;
using Spectre.Console;

namespace AlertPipeline.Cli.Commands;

/// <summary><c>contacts list|import</c> (union-admin). Phone numbers and emails are shown masked in tables.</summary>
internal static class ContactCommands
{
    public static Command Create(CliApp app)
    {
        var branch = new Option<string>("--branch") { Description = "The branch's id.", Required = true };
        var pageSize = new Option<int>("--page-size") { Description = "Contacts per request (1–1000).", DefaultValueFactory = _ => 500 };
        pageSize.Validators.Add(r =>
        {
            // A value that is not a number already has the parser's error (naming the option).
            if (r.Tokens.Count == 1 && int.TryParse(r.Tokens[0].Value, out var value) && value is < 1 or > 1000)
            {
                r.AddError("Option '--page-size' must be from 1 to 1000.");
            }
        });

        var list = new Command("list", "List a branch's contacts (phone numbers and emails masked; --json shows them in full).") { branch, pageSize };
        app.SetAction(list, async run =>
        {
            var api = run.Api;
            var union = run.Union;
            var contacts = new List<ContactItem>();
            string? token = null;
            do
            {
                var page = await api.ListContactsAsync(union, run.Value(branch)!, run.Value(pageSize), token, run.CancellationToken);
                contacts.AddRange(page.Items);
                token = page.ContinuationToken;
            }
            while (token is not null);

            if (run.Json)
            {
                run.WriteJson(new { items = contacts });
                return ExitCodes.Success;
            }

            var table = Render.Table("contact", "name", "phone", "email", "language", "time zone", "sms", "email consent", "opted out");
            foreach (var c in contacts)
            {
                var optedOut = string.Join(", ", new[] { c.SmsOptedOutAt is null ? null : "sms", c.EmailOptedOutAt is null ? null : "email" }.OfType<string>());
                table.Row(
                    c.ContactId, c.Name, c.Phone is null ? c.PhoneError : Redact.Phone(c.Phone), c.Email is null ? null : Redact.Email(c.Email),
                    c.Language, c.TimeZone, Render.YesNo(c.SmsConsent), Render.YesNo(c.EmailConsent), optedOut.Length == 0 ? null : optedOut);
            }

            run.Out.Write(table);
            run.Out.WriteLine($"{contacts.Count} contact(s).");
            return ExitCodes.Success;
        });

        var file = new Argument<FileInfo>("file.csv") { Description = "CSV with the header contactId,name,phone,email,language,timeZone,smsConsent,emailConsent." };
        var noWait = new Option<bool>("--no-wait") { Description = "For a file the API imports as a job: print the job id and return at once (see 'contacts import-status')." };
        var pollInterval = new Option<double>("--poll-interval") { Description = "Seconds between two looks at a running import job.", DefaultValueFactory = _ => 2 };
        pollInterval.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && double.TryParse(r.Tokens[0].Value, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is < 0.05 or > 60)
            {
                r.AddError("Option '--poll-interval' must be from 0.05 to 60 seconds.");
            }
        });
        var import = new Command("import", "Import (upsert) contacts from a CSV file into a branch; bad lines are reported and the rest imported. A large file is imported as a job: its progress is shown until it is done.")
        {
            file, branch, noWait, pollInterval,
        };
        app.SetAction(import, async run =>
        {
            var csv = run.Value(file)!;
            if (!csv.Exists)
            {
                throw new CliUsageException($"Argument 'file.csv': file '{csv.FullName}' does not exist.");
            }

            var api = run.Api;
            var union = run.Union;
            ImportStart started;
            await using (var stream = csv.OpenRead())
            {
                started = run.Json
                    ? await api.ImportContactsAsync(union, run.Value(branch)!, stream, null, run.CancellationToken)
                    : await UploadWithProgressAsync(run, api, union, run.Value(branch)!, csv, stream);
            }

            if (started.Job is { } job)
            {
                if (run.Value(noWait))
                {
                    return ShowQueued(run, job);
                }

                return await FollowJobAsync(run, api, union, job, TimeSpan.FromSeconds(run.Value(pollInterval)));
            }

            var report = started.Report!;
            if (run.Json)
            {
                run.WriteJson(report);
            }
            else
            {
                ShowReport(run.Out, report);
            }

            return report.Rejected > 0 ? ExitCodes.LinesRejected : ExitCodes.Success;
        });

        var jobId = new Argument<string>("jobId") { Description = "The import job's id (printed by 'contacts import')." };
        var wait = new Option<bool>("--wait") { Description = "Follow a job that is still running until it is done." };
        var statusPollInterval = new Option<double>("--poll-interval") { Description = "Seconds between two looks with --wait.", DefaultValueFactory = _ => 2 };
        var status = new Command("import-status", "Show an import job: its state and progress, and its report when it is done.") { jobId, wait, statusPollInterval };
        app.SetAction(status, async run =>
        {
            var api = run.Api;
            var union = run.Union;
            var job = await api.GetImportJobAsync(union, run.Value(jobId)!, 1, null, run.CancellationToken);
            if (!job.IsFinished && run.Value(wait))
            {
                return await FollowJobAsync(run, api, union, job, TimeSpan.FromSeconds(Math.Clamp(run.Value(statusPollInterval), 0.05, 60)));
            }

            if (!job.IsFinished)
            {
                if (run.Json)
                {
                    run.WriteJson(job with { Errors = [], Warnings = [], ContinuationToken = null });
                }
                else
                {
                    run.Out.WriteLine(Progress(job));
                }

                return ExitCodes.Success;
            }

            return ShowFinished(run, await api.GetImportJobReportAsync(union, job.JobId, run.CancellationToken));
        });

        var eraseId = new Argument<string>("contactId") { Description = "The contact's id." };
        var eraseBranch = new Option<string>("--branch") { Description = "The branch's id (it need not exist any more).", Required = true };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation." };
        var erase = new Command("erase", "Erase a contact and the personal data of its delivery rows in every alert (cannot be undone).") { eraseId, eraseBranch, yes };
        app.SetAction(erase, async run =>
        {
            var api = run.Api;
            var union = run.Union;
            var (contact, where) = (run.Value(eraseId)!, run.Value(eraseBranch)!);
            if (!run.Value(yes))
            {
                if (!run.Out.Profile.Capabilities.Interactive)
                {
                    throw new CliUsageException("Erasure cannot be undone: add --yes to confirm (no terminal to ask on).");
                }

                if (!await new ConfirmationPrompt($"Erase contact '{Markup.Escape(contact)}' of branch '{Markup.Escape(where)}' and scrub their delivery rows? This cannot be undone.") { DefaultValue = false }
                    .ShowAsync(run.Out, run.CancellationToken))
                {
                    run.Out.WriteLine("Nothing erased.");
                    return ExitCodes.Failed;
                }
            }

            var result = await api.EraseContactAsync(union, where, contact, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(result);
            }
            else
            {
                Render.Success(run.Out, (result.ContactDeleted ? $"Erased contact '{contact}'" : $"Contact '{contact}' was already gone")
                    + $"; scrubbed {result.DeliveryRowsScrubbed} delivery row(s).");
            }

            return ExitCodes.Success;
        });

        return new Command("contacts", "A branch's contacts (union-admin key).") { list, import, status, erase };
    }

    private static async Task<ImportStart> UploadWithProgressAsync(Invocation run, ApiClient api, string union, string branch, FileInfo csv, Stream stream)
    {
        if (!run.Out.Profile.Capabilities.Interactive)
        {
            // No live bar on a pipe or a log: one line saying what is happening.
            run.Out.WriteLine($"Uploading {csv.Name} ({csv.Length:N0} bytes) to branch '{branch}'…");
            return await api.ImportContactsAsync(union, branch, stream, null, run.CancellationToken);
        }

        return await run.Out.Progress().AutoClear(false).StartAsync(async context =>
        {
            var upload = context.AddTask($"Uploading {Markup.Escape(csv.Name)}", maxValue: Math.Max(1, csv.Length));
            var started = await api.ImportContactsAsync(union, branch, stream, new TaskProgress(upload), run.CancellationToken);
            upload.Value = upload.MaxValue;
            upload.Description = started.Report is { } report
                ? $"Imported {report.Imported}, rejected {report.Rejected}"
                : $"Uploaded {Markup.Escape(csv.Name)}: import job {started.Job!.JobId}";
            upload.StopTask();
            return started;
        });
    }

    private static int ShowQueued(Invocation run, ImportJobItem job)
    {
        if (run.Json)
        {
            run.WriteJson(job);
        }
        else
        {
            run.Out.WriteLine(string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"Import job {job.JobId} {job.State} ({job.LinesTotal:N0} lines). Follow it with: alertpipeline contacts import-status {job.JobId} --wait"));
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Polls a job until it is done (a live bar on a terminal; a line whenever the figures change otherwise), then prints
    /// its whole report. Stopping the CLI (Ctrl+C) leaves the job running on the server.
    /// </summary>
    private static async Task<int> FollowJobAsync(Invocation run, ApiClient api, string union, ImportJobItem job, TimeSpan interval)
    {
        if (!run.Json && run.Out.Profile.Capabilities.Interactive)
        {
            job = await run.Out.Progress().AutoClear(false).StartAsync(async context =>
            {
                var task = context.AddTask($"Import job {job.JobId[..8]}", maxValue: Math.Max(1, job.LinesTotal));
                while (true)
                {
                    task.Value = job.LinesDone;
                    task.Description = $"Importing: {job.Imported:N0} imported, {job.Rejected:N0} rejected";
                    if (job.IsFinished)
                    {
                        task.StopTask();
                        return job;
                    }

                    await Task.Delay(interval, run.CancellationToken);
                    job = await api.GetImportJobAsync(union, job.JobId, 1, null, run.CancellationToken);
                }
            });
        }
        else
        {
            var last = -1;
            while (true)
            {
                if (!run.Json && job.LinesDone != last)
                {
                    run.Out.WriteLine(Progress(job));
                    last = job.LinesDone;
                }

                if (job.IsFinished)
                {
                    break;
                }

                await Task.Delay(interval, run.CancellationToken);
                job = await api.GetImportJobAsync(union, job.JobId, 1, null, run.CancellationToken);
            }
        }

        return ShowFinished(run, await api.GetImportJobReportAsync(union, job.JobId, run.CancellationToken));
    }

    private static string Progress(ImportJobItem job) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"Import job {job.JobId} {job.State}: {job.LinesDone:N0} of {job.LinesTotal:N0} lines; {job.Imported:N0} imported, {job.Rejected:N0} rejected.");

    private static int ShowFinished(Invocation run, ImportJobItem job)
    {
        if (run.Json)
        {
            run.WriteJson(job);
        }
        else if (job.State == "failed")
        {
            Render.Error(run.Out, $"Import job {job.JobId} failed after {job.LinesDone:N0} of {job.LinesTotal:N0} lines: {job.Failure}");
        }

        if (!run.Json)
        {
            ShowReport(run.Out, job.ToReport());
        }

        return job.State == "failed" ? ExitCodes.Failed : job.Rejected > 0 ? ExitCodes.LinesRejected : ExitCodes.Success;
    }

    internal static void ShowReport(IAnsiConsole console, ImportReport report)
    {
        console.MarkupLine($"Imported [green]{report.Imported}[/] line(s); rejected [{(report.Rejected > 0 ? "red" : "green")}]{report.Rejected}[/].");
        if (report.Errors.Count > 0)
        {
            var table = Render.Table("line", "field", "problem");
            foreach (var error in report.Errors.OrderBy(e => e.Line))
            {
                table.Row(error.Line.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Field, error.Message);
            }

            console.Write(table);
        }

        if (report.Warnings.Count > 0)
        {
            var table = Render.Table("line", "field", "imported with a warning");
            foreach (var warning in report.Warnings.OrderBy(w => w.Line))
            {
                table.Row(warning.Line.ToString(System.Globalization.CultureInfo.InvariantCulture), warning.Field, warning.Message);
            }

            console.Write(table);
        }
    }

    private sealed class TaskProgress(ProgressTask task) : IProgress<long>
    {
        public void Report(long value) => task.Value = value;
    }
}

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
        var import = new Command("import", "Import (upsert) contacts from a CSV file into a branch; bad lines are reported and the rest imported.") { file, branch };
        app.SetAction(import, async run =>
        {
            var csv = run.Value(file)!;
            if (!csv.Exists)
            {
                throw new CliUsageException($"Argument 'file.csv': file '{csv.FullName}' does not exist.");
            }

            var api = run.Api;
            var union = run.Union;
            await using var stream = csv.OpenRead();
            var report = run.Json
                ? await api.ImportContactsAsync(union, run.Value(branch)!, stream, null, run.CancellationToken)
                : await UploadWithProgressAsync(run, api, union, run.Value(branch)!, csv, stream);

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

        return new Command("contacts", "A branch's contacts (union-admin key).") { list, import, erase };
    }

    private static async Task<ImportReport> UploadWithProgressAsync(Invocation run, ApiClient api, string union, string branch, FileInfo csv, Stream stream)
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
            var report = await api.ImportContactsAsync(union, branch, stream, new TaskProgress(upload), run.CancellationToken);
            upload.Value = upload.MaxValue;
            upload.Description = $"Imported {report.Imported}, rejected {report.Rejected}";
            upload.StopTask();
            return report;
        });
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

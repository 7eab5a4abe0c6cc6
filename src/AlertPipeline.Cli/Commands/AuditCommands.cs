using System.CommandLine;
using AlertPipeline.Cli.Output;
using Spectre.Console;

namespace AlertPipeline.Cli.Commands;

/// <summary><c>audit [--limit] [--continuation-token]</c> (union-admin): the union's writes, newest first.</summary>
internal static class AuditCommands
{
    public static Command Create(CliApp app)
    {
        var limit = new Option<int>("--limit") { Description = "How many rows (1–1000).", DefaultValueFactory = _ => 50 };
        limit.Validators.Add(r =>
        {
            // A value that is not a number already has the parser's error (naming the option).
            if (r.Tokens.Count == 1 && int.TryParse(r.Tokens[0].Value, out var value) && value is < 1 or > 1000)
            {
                r.AddError("Option '--limit' must be from 1 to 1000.");
            }
        });
        var token = new Option<string>("--continuation-token") { Description = "Resume after an earlier page (the token it printed)." };

        var audit = new Command("audit", "Show the union's audit trail: every write through the API, newest first.") { limit, token };
        app.SetAction(audit, async run =>
        {
            var page = await run.Api.ReadAuditAsync(run.Union, run.Value(limit), run.Value(token), run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(page);
                return ExitCodes.Success;
            }

            if (page.Items.Count == 0)
            {
                run.Out.WriteLine("No audit rows.");
            }
            else
            {
                var table = Render.Table("at", "actor", "role", "method", "route", "targets", "status", "outcome");
                foreach (var row in page.Items)
                {
                    table.Row(
                        Render.Time(row.At), row.ActorUnion is { } by && by != run.Union ? $"{by}: {row.Actor}" : row.Actor, row.Role, row.Method, row.Route, row.Targets,
                        row.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), row.Outcome);
                }

                run.Out.Write(table);
            }

            if (page.ContinuationToken is { } next)
            {
                run.Out.WriteLine("More rows: add --continuation-token " + next);
            }

            return ExitCodes.Success;
        });

        return audit;
    }
}

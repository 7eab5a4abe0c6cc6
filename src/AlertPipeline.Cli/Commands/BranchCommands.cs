using System.CommandLine;
using AlertPipeline.Cli.Output;
using Spectre.Console;

namespace AlertPipeline.Cli.Commands;

/// <summary><c>branches list|add</c> (union-admin).</summary>
internal static class BranchCommands
{
    public static Command Create(CliApp app)
    {
        var list = new Command("list", "List the union's branches.");
        app.SetAction(list, async run =>
        {
            var page = await run.Api.ListBranchesAsync(run.Union, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(page);
                return ExitCodes.Success;
            }

            if (page.Items.Count == 0)
            {
                run.Out.WriteLine("The union has no branches yet: add one with 'alertpipeline branches add <branchId> --name <name>'.");
                return ExitCodes.Success;
            }

            var table = Render.Table("branch", "name");
            foreach (var branch in page.Items)
            {
                table.Row(branch.BranchId, branch.Name);
            }

            run.Out.Write(table);
            return ExitCodes.Success;
        });

        var branchId = new Argument<string>("branchId") { Description = "The new branch's id (lowercase letters, digits, '-')." };
        var name = new Option<string>("--name") { Description = "The branch's display name.", Required = true };
        var add = new Command("add", "Add a branch to the union.") { branchId, name };
        app.SetAction(add, async run =>
        {
            var created = await run.Api.AddBranchAsync(run.Union, run.Value(branchId)!, run.Value(name)!, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(created);
            }
            else
            {
                Render.Success(run.Out, $"Added branch '{created.BranchId}' ({created.Name}).");
            }

            return ExitCodes.Success;
        });

        return new Command("branches", "The union's branches (union-admin key).") { list, add };
    }
}

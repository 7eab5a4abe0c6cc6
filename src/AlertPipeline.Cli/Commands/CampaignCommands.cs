using System.CommandLine;
using AlertPipeline.Cli.Output;
using Spectre.Console;

namespace AlertPipeline.Cli.Commands;

/// <summary><c>campaigns list</c>: the campaigns, and whether the union subscribes to each (any key of the union).</summary>
internal static class CampaignCommands
{
    public static Command Create(CliApp app)
    {
        var list = new Command("list", "List the campaigns and whether the union subscribes to each.");
        app.SetAction(list, async run =>
        {
            var page = await run.Api.ListCampaignsAsync(run.Union, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(page);
                return ExitCodes.Success;
            }

            var table = Render.Table("campaign", "name", "subscribed");
            foreach (var c in page.Items)
            {
                table.Row(c.CampaignId, c.Name, Render.YesNo(c.Subscribed));
            }

            run.Out.Write(table);
            return ExitCodes.Success;
        });

        return new Command("campaigns", "Campaigns (any key of the union).") { list };
    }
}

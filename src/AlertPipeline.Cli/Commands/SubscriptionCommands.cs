using System.CommandLine;
using AlertPipeline.Cli.Output;
using Spectre.Console;

namespace AlertPipeline.Cli.Commands;

/// <summary><c>subscriptions list|add|remove</c> (union-admin): which campaigns the union, or one branch, follows.</summary>
internal static class SubscriptionCommands
{
    public static Command Create(CliApp app)
    {
        var list = new Command("list", "List the union's campaign subscriptions (whole union or per branch).");
        app.SetAction(list, async run =>
        {
            var page = await run.Api.ListSubscriptionsAsync(run.Union, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(page);
                return ExitCodes.Success;
            }

            if (page.Items.Count == 0)
            {
                run.Out.WriteLine("The union subscribes to no campaign.");
                return ExitCodes.Success;
            }

            var table = Render.Table("campaign", "branch");
            foreach (var s in page.Items)
            {
                table.Row(s.CampaignId, s.BranchId ?? "(whole union)");
            }

            run.Out.Write(table);
            return ExitCodes.Success;
        });

        return new Command("subscriptions", "The campaigns the union subscribes to (union-admin key).")
        {
            list,
            Change(app, "add", "Subscribe the union (or one branch, --branch) to a campaign.", subscribe: true),
            Change(app, "remove", "Unsubscribe the union (or one branch, --branch) from a campaign.", subscribe: false),
        };
    }

    private static Command Change(CliApp app, string name, string description, bool subscribe)
    {
        var campaign = new Argument<string>("campaignId") { Description = "The campaign's id." };
        var branch = new Option<string>("--branch") { Description = "Only this branch (default: the whole union)." };
        var command = new Command(name, description) { campaign, branch };
        app.SetAction(command, async run =>
        {
            var api = run.Api;
            if (subscribe)
            {
                await api.SubscribeAsync(run.Union, run.Value(campaign)!, run.Value(branch), run.CancellationToken);
            }
            else
            {
                await api.UnsubscribeAsync(run.Union, run.Value(campaign)!, run.Value(branch), run.CancellationToken);
            }

            var who = run.Value(branch) is { } b ? $"branch '{b}'" : "the whole union";
            if (run.Json)
            {
                run.WriteJson(new { campaignId = run.Value(campaign), branchId = run.Value(branch), subscribed = subscribe });
            }
            else
            {
                Render.Success(run.Out, subscribe ? $"Subscribed {who} to '{run.Value(campaign)}'." : $"Unsubscribed {who} from '{run.Value(campaign)}'.");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}

using System.CommandLine;
using AlertPipeline.Cli.Api;
using AlertPipeline.Cli.Output;
using Spectre.Console;

namespace AlertPipeline.Cli.Commands;

/// <summary>
/// <c>campaigns list</c> (any key of the union): the campaigns and the union's role in each. Joining another union's
/// campaign (union-admin key): the owner runs <c>campaigns invite|approve|remove|members|open|close</c>, the joining union
/// <c>campaigns join|leave</c> (docs/api.md "Campaign ownership").
/// </summary>
internal static class CampaignCommands
{
    public static Command Create(CliApp app)
    {
        var list = new Command("list", "List the campaigns and the union's role in each (owner, subscriber, invited, requested, approved, open, none).");
        app.SetAction(list, async run =>
        {
            var page = await run.Api.ListCampaignsAsync(run.Union, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(page);
                return ExitCodes.Success;
            }

            var table = Render.Table("campaign", "name", "role", "subscribed", "open");
            foreach (var c in page.Items)
            {
                table.Row(c.CampaignId, c.Name, c.Role ?? string.Empty, Render.YesNo(c.Subscribed), Render.YesNo(c.Open));
            }

            run.Out.Write(table);
            return ExitCodes.Success;
        });

        return new Command("campaigns", "Campaigns: list (any key); membership of campaigns (union-admin key).")
        {
            list,
            Members(app),
            Admit(app, "invite", "Invite another union to the union's own campaign (owner's union-admin); it then accepts with 'campaigns join'."),
            Admit(app, "approve", "Approve another union's request to join the union's own campaign (owner's union-admin)."),
            Remove(app),
            Join(app),
            Leave(app),
            Open(app, "open", "Open the union's own campaign: any union may subscribe without an invitation.", open: true),
            Open(app, "close", "Close the union's own campaign to new subscribers (those subscribed stay).", open: false),
        };
    }

    private static Argument<string> CampaignArgument() => new("campaignId") { Description = "The campaign's id." };

    private static Argument<string> MemberArgument() => new("unionId") { Description = "The other union's id." };

    private static Command Members(CliApp app)
    {
        var campaign = CampaignArgument();
        var command = new Command("members", "List the unions invited to, asking to join or subscribed to the union's own campaign (owner's union-admin).") { campaign };
        app.SetAction(command, async run =>
        {
            var page = await run.Api.ListMembersAsync(run.Union, run.Value(campaign)!, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(page);
                return ExitCodes.Success;
            }

            if (page.Items.Count == 0)
            {
                run.Out.WriteLine($"No other union is invited to, asking to join or subscribed to '{run.Value(campaign)}'.");
                return ExitCodes.Success;
            }

            var table = Render.Table("union", "state", "subscribed");
            foreach (var m in page.Items)
            {
                table.Row(m.UnionId, m.State ?? "(subscribed)", Render.YesNo(m.Subscribed));
            }

            run.Out.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Admit(CliApp app, string name, string description)
    {
        var campaign = CampaignArgument();
        var member = MemberArgument();
        var command = new Command(name, description) { campaign, member };
        app.SetAction(command, async run =>
        {
            var result = await run.Api.AdmitAsync(run.Union, run.Value(campaign)!, run.Value(member)!, run.CancellationToken);
            WriteMember(run, result, result.State == "approved"
                ? $"Union '{result.UnionId}' may now subscribe to '{result.CampaignId}'."
                : $"Invited union '{result.UnionId}' to '{result.CampaignId}'; it accepts with 'alertpipeline campaigns join {result.CampaignId}'.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove(CliApp app)
    {
        var campaign = CampaignArgument();
        var member = MemberArgument();
        var command = new Command("remove", "Withdraw an invitation, refuse a request, or remove a union and its subscriptions (owner's union-admin).") { campaign, member };
        app.SetAction(command, async run =>
        {
            await run.Api.RemoveMemberAsync(run.Union, run.Value(campaign)!, run.Value(member)!, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(new { campaignId = run.Value(campaign), unionId = run.Value(member), removed = true });
            }
            else
            {
                Render.Success(run.Out, $"Union '{run.Value(member)}' is no longer invited to or subscribed to '{run.Value(campaign)}'.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Join(CliApp app)
    {
        var campaign = CampaignArgument();
        var command = new Command("join", "Ask to join another union's campaign, or accept its owner's invitation.") { campaign };
        app.SetAction(command, async run =>
        {
            var result = await run.Api.JoinAsync(run.Union, run.Value(campaign)!, run.CancellationToken);
            WriteMember(run, result, result.State == "approved"
                ? $"Joined '{result.CampaignId}': subscribe with 'alertpipeline subscriptions add {result.CampaignId}'."
                : $"Asked to join '{result.CampaignId}'; its owner union must approve.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Leave(CliApp app)
    {
        var campaign = CampaignArgument();
        var command = new Command("leave", "Withdraw the request, decline the invitation, or leave the campaign (its subscriptions are removed).") { campaign };
        app.SetAction(command, async run =>
        {
            await run.Api.LeaveAsync(run.Union, run.Value(campaign)!, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(new { campaignId = run.Value(campaign), left = true });
            }
            else
            {
                Render.Success(run.Out, $"Left '{run.Value(campaign)}'.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Open(CliApp app, string name, string description, bool open)
    {
        var campaign = CampaignArgument();
        var command = new Command(name, description) { campaign };
        app.SetAction(command, async run =>
        {
            await run.Api.SetOpenAsync(run.Union, run.Value(campaign)!, open, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(new { campaignId = run.Value(campaign), open });
            }
            else
            {
                Render.Success(run.Out, open ? $"'{run.Value(campaign)}' is open: any union may subscribe." : $"'{run.Value(campaign)}' is closed to new subscribers.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteMember(Invocation run, MemberItem member, string message)
    {
        if (run.Json)
        {
            run.WriteJson(member);
        }
        else
        {
            Render.Success(run.Out, message);
        }
    }
}

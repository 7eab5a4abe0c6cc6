using System.CommandLine;
using AlertPipeline.Cli.Api;
using AlertPipeline.Cli.Output;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Persistence;
using Azure.Data.Tables;
using Spectre.Console;

namespace AlertPipeline.Cli.Commands;

/// <summary>
/// <c>admin keys create|rotate|revoke|list</c>: key management directly on storage through <see cref="ApiKeyService"/>,
/// for whoever holds the storage account's connection (so the first key can be made before any API key exists);
/// <c>admin unions add</c> and <c>admin campaigns add|list</c> over the API with the bootstrap admin secret as the key.
/// </summary>
internal static class AdminCommands
{
    public static Command Create(CliApp app)
    {
        var connection = new Option<string>("--connection")
        {
            Description = $"The storage account's connection string (default: ${CliApp.StorageVariable}).",
            Recursive = true,
        };
        var prefix = new Option<string>("--table-prefix")
        {
            Description = "The deployment's Pipeline:Storage:TablePrefix (default: none).",
            Recursive = true,
        };

        var list = new Command("list", "List a union's keys (ids, roles, state; never the keys).");
        app.SetAction(list, async run =>
        {
            var (keys, unionId) = await OpenAsync(run, connection, prefix);
            var records = await keys.ListAsync(unionId, run.CancellationToken);
            var items = records.Select(r => new KeyItem(r.KeyId, r.Role.ToName(), r.CreatedAt, r.RevokedAt, r.ReplacedBy)).ToList();
            if (run.Json)
            {
                run.WriteJson(new ItemsPage<KeyItem>(items));
            }
            else if (items.Count == 0)
            {
                run.Out.WriteLine($"Union '{unionId}' has no keys yet: make one with 'alertpipeline admin keys create --union {unionId} --role union-admin'.");
            }
            else
            {
                KeyCommands.ShowKeys(run.Out, items);
            }

            return ExitCodes.Success;
        });

        var role = KeyCommands.RoleOption();
        var create = new Command("create", "Create a key for a union (shown once).") { role };
        app.SetAction(create, async run =>
        {
            var (keys, unionId) = await OpenAsync(run, connection, prefix);
            if (!ApiRoles.TryParse(run.Value(role), out var parsed))
            {
                throw new CliUsageException("Option '--role' must be 'organiser' or 'union-admin'.");
            }

            var created = await keys.CreateAsync(unionId, parsed, run.CancellationToken);
            KeyCommands.ShowCreated(run, View(created, replaces: null));
            return ExitCodes.Success;
        });

        var rotateId = KeyCommands.KeyIdOption();
        var rotate = new Command("rotate", "Replace a key by a new one with the same role; the old key is revoked.") { rotateId };
        app.SetAction(rotate, async run =>
        {
            var (keys, unionId) = await OpenAsync(run, connection, prefix);
            var rotated = await keys.RotateAsync(unionId, run.Value(rotateId)!, run.CancellationToken);
            var created = rotated.Outcome switch
            {
                RotationOutcome.Rotated => rotated.Created!,
                RotationOutcome.Revoked => throw new CliException(
                    $"Key '{run.Value(rotateId)}' of union '{unionId}' is revoked (or was just rotated by someone else); nothing was created. Create a new key instead.",
                    ExitCodes.Failed),
                _ => throw new CliException($"Union '{unionId}' has no key '{run.Value(rotateId)}'.", ExitCodes.NotFound),
            };
            KeyCommands.ShowCreated(run, View(created, run.Value(rotateId)));
            return ExitCodes.Success;
        });

        var revokeId = KeyCommands.KeyIdOption();
        var revoke = new Command("revoke", "Revoke a key (idempotent).") { revokeId };
        app.SetAction(revoke, async run =>
        {
            var (keys, unionId) = await OpenAsync(run, connection, prefix);
            if (!await keys.RevokeAsync(unionId, run.Value(revokeId)!, run.CancellationToken))
            {
                throw new CliException($"Union '{unionId}' has no key '{run.Value(revokeId)}'.", ExitCodes.NotFound);
            }

            if (run.Json)
            {
                run.WriteJson(new { keyId = run.Value(revokeId), revoked = true });
            }
            else
            {
                Render.Success(run.Out, $"Revoked key {run.Value(revokeId)} of union '{unionId}'.");
            }

            return ExitCodes.Success;
        });

        var keysCommand = new Command("keys", "A union's API keys, directly on the storage account (no API key needed).") { connection, prefix, list, create, rotate, revoke };
        return new Command("admin", "Operator commands: keys on the storage account; unions and campaigns over the API with the bootstrap admin secret as --key.")
        {
            keysCommand, UnionCommands(app), CampaignCommands(app),
        };
    }

    private static Command UnionCommands(CliApp app)
    {
        var unionId = new Argument<string>("unionId") { Description = "The new union's id (a lowercase slug)." };
        var name = new Option<string>("--name") { Description = "The union's name.", Required = true };
        var add = new Command("add", "Create a union (bootstrap admin secret as --key).") { unionId, name };
        app.SetAction(add, async run =>
        {
            var created = await run.Api.AddUnionAsync(run.Value(unionId)!, run.Value(name)!, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(created);
            }
            else
            {
                Render.Success(run.Out, $"Created union '{created.UnionId}' ({created.Name}).");
                run.Out.WriteLine($"Make its first key with: alertpipeline admin keys create --union {created.UnionId} --role union-admin");
            }

            return ExitCodes.Success;
        });

        return new Command("unions", "Unions, over the API (bootstrap admin).") { add };
    }

    private static Command CampaignCommands(CliApp app)
    {
        var list = new Command("list", "List every campaign (bootstrap admin secret as --key).");
        app.SetAction(list, async run =>
        {
            var page = await run.Api.ListAllCampaignsAsync(run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(page);
                return ExitCodes.Success;
            }

            if (page.Items.Count == 0)
            {
                run.Out.WriteLine("There are no campaigns yet.");
                return ExitCodes.Success;
            }

            var table = Render.Table("campaign", "name", "owner", "open", "help contact", "default language");
            foreach (var c in page.Items)
            {
                table.Row(c.CampaignId, c.Name, c.OwnerUnionId ?? "(none)", Render.YesNo(c.Open), c.HelpContact, c.DefaultLanguage);
            }

            run.Out.Write(table);
            return ExitCodes.Success;
        });

        var campaignId = new Argument<string>("campaignId") { Description = "The new campaign's id (a lowercase slug)." };
        var name = new Option<string>("--name") { Description = "The campaign's name.", Required = true };
        var help = new Option<string>("--help-contact") { Description = "The line sent in reply to HELP.", Required = true };
        var language = new Option<string>("--default-language") { Description = "The language of members without a template of their own (en, kk…).", DefaultValueFactory = _ => "en" };
        var owner = new Option<string>("--owner") { Description = "The union that owns the campaign: its organisers alone change the schedules.", Required = true };
        var open = new Option<bool>("--open") { Description = "Any union may subscribe without an invitation (default: only unions the owner admits)." };
        var add = new Command("add", "Create a campaign for its owner union (bootstrap admin secret as --key).") { campaignId, name, help, language, owner, open };
        app.SetAction(add, async run =>
        {
            var created = await run.Api.AddCampaignAsync(
                new CampaignItem(run.Value(campaignId)!, run.Value(name)!, run.Value(help)!, run.Value(language)!, run.Value(owner)!, run.Value(open)), run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(created);
            }
            else
            {
                Render.Success(run.Out, $"Created campaign '{created.CampaignId}' ({created.Name}, default language {created.DefaultLanguage}), owned by '{created.OwnerUnionId}'{(created.Open ? ", open to any union" : string.Empty)}.");
            }

            return ExitCodes.Success;
        });

        return new Command("campaigns", "Campaigns, over the API (bootstrap admin).") { list, add };
    }

    private static CreatedKey View(CreatedApiKey created, string? replaces) =>
        new(created.Record.KeyId, created.Secret, created.Record.UnionId.Value, created.Record.Role.ToName(), created.Record.CreatedAt, replaces);

    /// <summary>The key service on the account named by <c>--connection</c>, for a union that must exist there.</summary>
    private static async Task<(ApiKeyService Keys, UnionId UnionId)> OpenAsync(Invocation run, Option<string> connection, Option<string> prefix)
    {
        var unionId = UnionId.Parse(run.Union);
        var connectionString = run.Setting(connection, CliApp.StorageVariable)
            ?? throw new CliUsageException($"Option '--connection' is required (or set {CliApp.StorageVariable}).");
        var tablePrefix = run.Value(prefix)?.Trim() ?? string.Empty;
        if (new PipelineStorageOptions { TablePrefix = tablePrefix }.Validate() is { Count: > 0 })
        {
            throw new CliUsageException("Option '--table-prefix' must be up to 40 ASCII letters and digits, starting with a letter.");
        }

        TableServiceClient service;
        try
        {
            service = new TableServiceClient(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            // The message describes the string's shape, never its secret.
            throw new CliUsageException("Option '--connection' is not a storage connection string (AccountName=…;AccountKey=…;TableEndpoint=… or UseDevelopmentStorage=true).");
        }

        var tables = new PipelineTables(service, tablePrefix);
        if (await new MembershipRepository(tables).GetUnionAsync(unionId, run.CancellationToken) is null)
        {
            throw new CliException(
                $"Union '{unionId}' does not exist in this storage account" + (tablePrefix.Length > 0 ? $" (table prefix '{tablePrefix}')" : string.Empty) + ".",
                ExitCodes.NotFound);
        }

        return (new ApiKeyService(tables, run.Context.Time, ApiLookupCache.Off), unionId);
    }
}

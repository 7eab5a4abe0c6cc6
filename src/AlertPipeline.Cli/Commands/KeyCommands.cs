using System.CommandLine;
using AlertPipeline.Cli.Api;
using AlertPipeline.Cli.Output;
using Spectre.Console;

namespace AlertPipeline.Cli.Commands;

/// <summary><c>keys list|create|rotate|revoke</c> over the API (union-admin key, or the bootstrap admin secret as --key).</summary>
internal static class KeyCommands
{
    public static Command Create(CliApp app)
    {
        var list = new Command("list", "List the union's keys: ids, roles, when made and revoked (never the keys).");
        app.SetAction(list, async run =>
        {
            var page = await run.Api.ListKeysAsync(run.Union, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(page);
            }
            else
            {
                ShowKeys(run.Out, page.Items);
            }

            return ExitCodes.Success;
        });

        var role = RoleOption();
        var create = new Command("create", "Create a key (shown once).") { role };
        app.SetAction(create, async run =>
        {
            var created = await run.Api.CreateKeyAsync(run.Union, run.Value(role)!, run.CancellationToken);
            ShowCreated(run, created);
            return ExitCodes.Success;
        });

        var rotateId = KeyIdOption();
        var rotate = new Command("rotate", "Replace a key by a new one with the same role; the old key stops working.") { rotateId };
        app.SetAction(rotate, async run =>
        {
            var created = await run.Api.RotateKeyAsync(run.Union, run.Value(rotateId)!, run.CancellationToken);
            ShowCreated(run, created);
            return ExitCodes.Success;
        });

        var revokeId = KeyIdOption();
        var revoke = new Command("revoke", "Revoke a key (it stops working at once).") { revokeId };
        app.SetAction(revoke, async run =>
        {
            await run.Api.RevokeKeyAsync(run.Union, run.Value(revokeId)!, run.CancellationToken);
            if (run.Json)
            {
                run.WriteJson(new { keyId = run.Value(revokeId), revoked = true });
            }
            else
            {
                Render.Success(run.Out, $"Revoked key {run.Value(revokeId)}.");
            }

            return ExitCodes.Success;
        });

        return new Command("keys", "The union's API keys (union-admin key).") { list, create, rotate, revoke };
    }

    internal static Option<string> RoleOption()
    {
        var role = new Option<string>("--role") { Description = "organiser or union-admin.", Required = true };
        role.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is not ("organiser" or "union-admin"))
            {
                r.AddError("Option '--role' must be 'organiser' or 'union-admin'.");
            }
        });
        return role;
    }

    internal static Option<string> KeyIdOption()
    {
        var keyId = new Option<string>("--key-id") { Description = "The key's id (16 hex digits, from 'keys list').", Required = true };
        keyId.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is not { Length: 16 } id || !id.All(char.IsAsciiHexDigitLower))
            {
                r.AddError("Option '--key-id' must be a key id: 16 lowercase hex digits, as 'keys list' shows.");
            }
        });
        return keyId;
    }

    internal static void ShowKeys(IAnsiConsole console, IEnumerable<KeyItem> keys)
    {
        var table = Render.Table("key id", "role", "created", "revoked", "replaced by");
        foreach (var key in keys)
        {
            table.Row(key.KeyId, key.Role, Render.Time(key.CreatedAt), Render.Time(key.RevokedAt), key.ReplacedBy);
        }

        console.Write(table);
    }

    /// <summary>A new key, once: the key on its own unwrapped line, and the warning that it cannot be shown again.</summary>
    internal static void ShowCreated(Invocation run, CreatedKey created)
    {
        const string Warning = "This key is shown only now and cannot be shown again: store it safely (a password manager or Key Vault).";
        if (run.Json)
        {
            run.WriteJson(created);
            Render.Warning(run.Error, Warning);
            return;
        }

        Render.Success(run.Out, $"Created {created.Role} key {created.KeyId} for union '{created.UnionId}'"
            + (created.Replaces is null ? "." : $"; key {created.Replaces} is revoked."));
        run.Out.Profile.Out.Writer.WriteLine("key: " + created.Key);
        run.Out.Profile.Out.Writer.Flush();
        Render.Warning(run.Out, Warning);
    }
}

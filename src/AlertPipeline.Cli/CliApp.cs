using System.CommandLine;
using AlertPipeline.Cli.Api;
using AlertPipeline.Cli.Commands;
using AlertPipeline.Cli.Output;
using Azure;
using Spectre.Console;

namespace AlertPipeline.Cli;

/// <summary>
/// The command tree of <c>alertpipeline</c> (docs/cli.md) and its run: parse errors name the option and exit
/// <see cref="ExitCodes.Usage"/>; a command's failure is shown as one message (a problem's title and named fields) with the
/// exit code of <see cref="ExitCodes"/>.
/// </summary>
public sealed class CliApp
{
    public const string ApiUrlVariable = "ALERTPIPELINE_API_URL";
    public const string ApiKeyVariable = "ALERTPIPELINE_API_KEY";
    public const string UnionVariable = "ALERTPIPELINE_UNION";
    public const string StorageVariable = "AzureWebJobsStorage";

    public CliApp(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Context = context;
        Root = new RootCommand("AlertPipeline: manage a union's branches, contacts, keys and subscriptions, and schedule, preview, send and report alerts.")
        {
            GlobalOptions.ApiUrl, GlobalOptions.Key, GlobalOptions.Union, GlobalOptions.Json,
        };
        Root.Add(BranchCommands.Create(this));
        Root.Add(ContactCommands.Create(this));
        Root.Add(KeyCommands.Create(this));
        Root.Add(AuditCommands.Create(this));
        Root.Add(SubscriptionCommands.Create(this));
        Root.Add(CampaignCommands.Create(this));
        Root.Add(ScheduleCommands.Create(this));
        foreach (var command in AlertCommands.Create(this))
        {
            Root.Add(command);
        }

        Root.Add(AdminCommands.Create(this));
    }

    public CliContext Context { get; }

    public RootCommand Root { get; }

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var parse = Root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Render.Error(Context.Error, error.Message);
            }

            Context.Error.WriteLine($"Run '{string.Join(' ', CommandPath(parse))} --help' for usage.");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = Context.Out.Profile.Out.Writer,
            Error = Context.Error.Profile.Out.Writer,
            EnableDefaultExceptionHandler = false,
        };
        return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gives <paramref name="command"/> its action, mapping failures to a message and an exit code.</summary>
    internal void SetAction(Command command, Func<Invocation, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            var invocation = new Invocation(this, parse, cancellationToken);
            try
            {
                return await action(invocation).ConfigureAwait(false);
            }
            catch (ApiProblemException ex)
            {
                Render.Problem(Context.Error, ex);
                return ex.ExitCode;
            }
            catch (CliException ex)
            {
                Render.Error(Context.Error, ex.Message);
                return ex.ExitCode;
            }
            catch (RequestFailedException ex)
            {
                Render.Error(Context.Error, ex.Status == 0
                    ? $"Could not reach the storage account: {ex.Message.Split('\n')[0]}"
                    : $"The storage account answered {ex.Status} {ex.ErrorCode}.");
                return ex.Status == 0 ? ExitCodes.Unreachable : ExitCodes.Failed;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Render.Error(Context.Error, "Cancelled.");
                return ExitCodes.Failed;
            }
            finally
            {
                invocation.Dispose();
            }
        });

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new Stack<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(result.Command is RootCommand ? "alertpipeline" : result.Command.Name);
        }

        return names;
    }
}

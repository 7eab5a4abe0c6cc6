namespace AlertPipeline.Cli;

/// <summary>The <c>alertpipeline</c> executable.</summary>
public static class CliProgram
{
    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await new CliApp(CliContext.FromProcess()).RunAsync(args, cancel.Token).ConfigureAwait(false);
    }
}

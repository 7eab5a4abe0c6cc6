using System.Runtime.InteropServices;

namespace AlertPipeline.LocalHost.Demo;

/// <summary>The <c>demo</c> command: parses its options, stops cleanly on Ctrl+C / SIGTERM, and runs <see cref="DemoRunner"/>.</summary>
internal static class DemoProgram
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        DemoOptions options;
        try
        {
            options = DemoOptions.Parse(args);
        }
        catch (FormatException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }

        if (options.ShowHelp)
        {
            Console.WriteLine(DemoOptions.Usage);
            return 0;
        }

        using var stop = new CancellationTokenSource();
        void RequestStop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
        try
        {
            return await new DemoRunner(options, Console.Out).RunAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Demo interrupted.").ConfigureAwait(false);
            return 130;
        }
        catch (Exception ex) when (ex is LocalHostConfigurationException or InvalidDataException or IOException or InvalidOperationException or Azure.RequestFailedException)
        {
            await Console.Error.WriteLineAsync($"Demo failed: {Redaction.Mask(ex.Message)}").ConfigureAwait(false);
            return 1;
        }
    }
}

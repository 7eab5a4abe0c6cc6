using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Console;

namespace AlertPipeline.LocalHost;

/// <summary>The command-line entry point (<c>AlertPipeline.LocalHost run …</c>, or <c>demo …</c>: see Demo/).</summary>
internal static class LocalHostProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["demo", .. var demoArgs])
        {
            return await Demo.DemoProgram.RunAsync(demoArgs).ConfigureAwait(false);
        }

        LocalHostCommandLine command;
        try
        {
            command = LocalHostCommandLine.Parse(args);
        }
        catch (FormatException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }

        if (command.ShowHelp)
        {
            Console.WriteLine(LocalHostCommandLine.Usage);
            return 0;
        }

        using var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(command.Verbose ? LogLevel.Debug : LogLevel.Information)
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
                console.ColorBehavior = LoggerColorBehavior.Disabled;
            }));
        var options = command.Options;
        options.LoggerFactory = loggerFactory;
        var logger = loggerFactory.CreateLogger("AlertPipeline.LocalHost");

        using var stop = new CancellationTokenSource();
        void RequestStop(PosixSignalContext context)
        {
            context.Cancel = true; // we stop gracefully ourselves
            stop.Cancel();
        }

        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, RequestStop);

        await using var host = new FunctionsLocalHost(options);
        try
        {
            await host.StartAsync(stop.Token).ConfigureAwait(false);
        }
        catch (LocalHostConfigurationException ex)
        {
            logger.LogCritical("Start-up failed: {Problem}", ex.Message);
            return 1;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM.
        }

        await host.StopAsync().ConfigureAwait(false);
        return 0;
    }
}

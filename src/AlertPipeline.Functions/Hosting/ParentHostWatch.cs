namespace AlertPipeline.Functions.Hosting;

/// <summary>
/// Stops the handler when the process that started it dies, even by SIGKILL, so no orphan keeps running. Our local host
/// sets <c>ALERTPIPELINE_WATCH_STDIN=1</c> and holds the write end of the handler's stdin; when it dies the OS closes that
/// end, the read here returns end-of-file and the handler stops gracefully. Off unless the variable is set (in Azure the
/// Functions host manages the handler's lifetime itself).
/// </summary>
public sealed class ParentHostWatch(IHostApplicationLifetime lifetime, IConfiguration configuration, ILogger<ParentHostWatch> logger) : IHostedService
{
    public const string Variable = "ALERTPIPELINE_WATCH_STDIN";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration[Variable] != "1")
        {
            return Task.CompletedTask;
        }

        // A thread of its own: a blocking console read cannot be cancelled, and a background thread never delays the exit.
        new Thread(WaitForEndOfInput) { IsBackground = true, Name = "parent host watch" }.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void WaitForEndOfInput()
    {
        using var input = Console.OpenStandardInput();
        var buffer = new byte[64];
        while (input.Read(buffer, 0, buffer.Length) > 0)
        {
            // Nothing is ever written; only the end matters.
        }

        HostingLog.ParentGone(logger);
        lifetime.StopApplication();
    }
}

internal static partial class HostingLog
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "The process that started this handler is gone (stdin closed); stopping")]
    public static partial void ParentGone(ILogger logger);
}

using AlertPipeline.Core.Pipeline;

namespace AlertPipeline.Functions.Hosting;

/// <summary>
/// Stops the handler when the process that started it dies, even by SIGKILL, so no orphan keeps running. Our local host
/// sets <c>ALERTPIPELINE_WATCH_STDIN=1</c> and holds the write end of the handler's stdin; when it dies the OS closes that
/// end, the read here returns end-of-file and the handler stops gracefully. Off unless the variable is set (in Azure the
/// Functions host manages the handler's lifetime itself). The email <see cref="HandoverGate"/> is closed first, before the
/// stop's callbacks run: a host that died is usually followed by a kill of its handler, and every handover mark begun in
/// between may be lost with it (docs/reliability.md).
/// </summary>
public sealed class ParentHostWatch(IHostApplicationLifetime lifetime, IConfiguration configuration, HandoverGate gate, ILogger<ParentHostWatch> logger) : IHostedService
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

        OnParentGone();
    }

    /// <summary>The starting process is gone: no new email handover begins, then the handler stops.</summary>
    internal void OnParentGone()
    {
        gate.Close();
        HostingLog.ParentGone(logger);
        lifetime.StopApplication();
    }
}

internal static partial class HostingLog
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "The process that started this handler is gone (stdin closed); stopping")]
    public static partial void ParentGone(ILogger logger);
}

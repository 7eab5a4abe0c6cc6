using AlertPipeline.Core.Pipeline;

namespace AlertPipeline.Functions.Hosting;

/// <summary>
/// Closes the <see cref="HandoverGate"/> the moment the worker begins to stop (SIGTERM, the Functions host stopping it,
/// or <see cref="ParentHostWatch"/> seeing its local host gone): no email begins its handover mark from then on (those
/// waiting are released and re-sent later), while those whose mark was already requested finish their end of data. A
/// stop is often followed shortly by a kill; every mark begun after it would widen what that kill can lose.
/// </summary>
public sealed partial class HandoverGateCloser(IHostApplicationLifetime lifetime, HandoverGate gate, ILogger<HandoverGateCloser> logger) : IHostedService
{
    private CancellationTokenRegistration _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(() =>
        {
            gate.Close();
            LogClosed(logger, gate.InFlight);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Dispose();
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "Stopping: no new email handover begins; {InFlight} in flight finish")]
    private static partial void LogClosed(ILogger logger, int inFlight);
}

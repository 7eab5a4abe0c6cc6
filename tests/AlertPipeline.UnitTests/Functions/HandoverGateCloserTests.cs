using AlertPipeline.Core.Pipeline;
using AlertPipeline.Functions.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace AlertPipeline.UnitTests.Functions;

public sealed class HandoverGateCloserTests
{
    [Fact]
    public async Task WorkerStopping_ClosesTheGateAtOnce_NotBefore()
    {
        using var stopping = new CancellationTokenSource();
        var lifetime = new Mock<IHostApplicationLifetime>(MockBehavior.Strict);
        lifetime.SetupGet(l => l.ApplicationStopping).Returns(stopping.Token);
        using var gate = new HandoverGate(new PipelineOptions());
        var closer = new HandoverGateCloser(lifetime.Object, gate, NullLogger<HandoverGateCloser>.Instance);

        await closer.StartAsync(default);
        gate.IsClosed.Should().BeFalse("a running worker hands emails over");
        await stopping.CancelAsync();

        gate.IsClosed.Should().BeTrue("the stop (SIGTERM, the local host gone) refuses every handover not yet begun");
        await closer.StopAsync(default);
    }
}

using AlertPipeline.Core.Pipeline;
using AlertPipeline.Functions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace AlertPipeline.UnitTests.Functions;

public sealed class ParentHostWatchTests
{
    [Fact]
    public void ParentGone_ClosesTheHandoverGateBeforeTheStopBegins()
    {
        using var gate = new HandoverGate(new PipelineOptions());
        bool? closedAtStop = null;
        var lifetime = new Mock<IHostApplicationLifetime>(MockBehavior.Strict);
        lifetime.Setup(l => l.StopApplication()).Callback(() => closedAtStop = gate.IsClosed);
        var watch = new ParentHostWatch(lifetime.Object, new ConfigurationBuilder().Build(), gate, NullLogger<ParentHostWatch>.Instance);

        watch.OnParentGone();

        lifetime.Verify(l => l.StopApplication(), Times.Once);
        closedAtStop.Should().BeTrue("no handover mark may begin while the stop's callbacks run: a kill of the handler usually follows");
    }
}

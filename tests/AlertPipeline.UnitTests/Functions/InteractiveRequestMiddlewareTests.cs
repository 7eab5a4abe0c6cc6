using System.Collections.Immutable;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Infrastructure.Storage;
using Microsoft.Azure.Functions.Worker;
using Moq;

namespace AlertPipeline.UnitTests.Functions;

public sealed class InteractiveRequestMiddlewareTests
{
    [Theory]
    [InlineData("ApiAlertReport", "httpTrigger", false, 1)]
    [InlineData("TwilioStatus", "httpTrigger", false, 1)]
    [InlineData("FanOutChunk", "queueTrigger", true, 2)]
    [InlineData("FanOut", "queueTrigger", true, 2)]
    [InlineData("ContactImport", "queueTrigger", true, 2)]
    [InlineData("SendSms", "queueTrigger", false, 2)]
    [InlineData("ScheduleTick", "timerTrigger", false, 2)]
    public async Task Invoke_HttpLowersTheBulkSlotsWhileItRuns_FanOutAndImportAreBulk_SendsAndTimersAreNeither(string name, string trigger, bool bulk, int slots)
    {
        var gate = new TableTrafficGate(new TableTrafficOptions { Bulk = 2, BulkWhileInteractive = 1 });
        var middleware = new InteractiveRequestMiddleware(gate);
        bool? marked = null;
        var slotsWhileRunning = 0;

        await middleware.Invoke(Context(name, trigger), async _ =>
        {
            marked = TableTrafficGate.IsBulk;
            var one = await gate.EnterBackgroundAsync(default);
            var second = gate.EnterBackgroundAsync(default).AsTask();
            slotsWhileRunning = second.IsCompleted ? 2 : 1;
            one.Dispose();
            (await second).Dispose();
        });

        marked.Should().Be(bulk);
        slotsWhileRunning.Should().Be(slots);
        TableTrafficGate.IsBulk.Should().BeFalse();
        gate.BackgroundInFlight.Should().Be(0);
    }

    private static FunctionContext Context(string name, string trigger)
    {
        var binding = new Mock<BindingMetadata>(MockBehavior.Strict);
        binding.SetupGet(b => b.Type).Returns(trigger);
        var definition = new Mock<FunctionDefinition>(MockBehavior.Strict);
        definition.SetupGet(d => d.Name).Returns(name);
        definition.SetupGet(d => d.InputBindings).Returns(ImmutableDictionary<string, BindingMetadata>.Empty.Add("trigger", binding.Object));
        var context = new Mock<FunctionContext>(MockBehavior.Strict);
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);
        return context.Object;
    }
}

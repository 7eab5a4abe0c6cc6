using System.Collections.Immutable;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Infrastructure.Storage;
using Microsoft.Azure.Functions.Worker;
using Moq;

namespace AlertPipeline.UnitTests.Functions;

public sealed class InteractiveRequestMiddlewareTests
{
    [Theory]
    [InlineData("httpTrigger", true)]
    [InlineData("queueTrigger", false)]
    [InlineData("timerTrigger", false)]
    public async Task Invoke_MarksOnlyHttpTriggeredInvocationsInteractive_AndLowersBackgroundSlotsWhileTheyRun(string trigger, bool interactive)
    {
        var gate = new TableTrafficGate(new TableTrafficOptions { Background = 2, WhileInteractive = 1 });
        var middleware = new InteractiveRequestMiddleware(gate);
        bool? marked = null;
        var slotsWhileRunning = 0;

        await middleware.Invoke(Context(trigger), async _ =>
        {
            marked = TableTrafficGate.IsInteractive;
            var one = await gate.EnterBackgroundAsync(default);
            var second = gate.EnterBackgroundAsync(default).AsTask();
            slotsWhileRunning = second.IsCompleted ? 2 : 1;
            one.Dispose();
            (await second).Dispose();
        });

        marked.Should().Be(interactive);
        slotsWhileRunning.Should().Be(interactive ? 1 : 2);
        TableTrafficGate.IsInteractive.Should().BeFalse();
        gate.BackgroundInFlight.Should().Be(0);
    }

    private static FunctionContext Context(string trigger)
    {
        var binding = new Mock<BindingMetadata>(MockBehavior.Strict);
        binding.SetupGet(b => b.Type).Returns(trigger);
        var definition = new Mock<FunctionDefinition>(MockBehavior.Strict);
        definition.SetupGet(d => d.InputBindings).Returns(ImmutableDictionary<string, BindingMetadata>.Empty.Add("trigger", binding.Object));
        var context = new Mock<FunctionContext>(MockBehavior.Strict);
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);
        return context.Object;
    }
}

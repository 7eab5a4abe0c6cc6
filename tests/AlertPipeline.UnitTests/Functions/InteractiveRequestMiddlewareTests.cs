using System.Collections.Immutable;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Infrastructure.Storage;
using AlertPipeline.Testing;
using Microsoft.AspNetCore.Http;
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
        var middleware = new InteractiveRequestMiddleware(gate, TimeProvider.System);
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

    [Fact]
    public async Task Invoke_HttpFunction_StampsTheRequestsArrivalBeforeTheFunctionRuns()
    {
        var clock = new ManualTimeProvider();
        var arrival = clock.GetUtcNow();
        var http = new DefaultHttpContext();
        var middleware = new InteractiveRequestMiddleware(new TableTrafficGate(new TableTrafficOptions()), clock);
        DateTimeOffset? seen = null;

        await middleware.Invoke(Context("ApiAlertReport", "httpTrigger", http), _ =>
        {
            clock.Advance(TimeSpan.FromSeconds(3));
            seen = RequestArrival.Of(http, clock);
            return Task.CompletedTask;
        });

        seen.Should().Be(arrival, "the function's budgets count from the arrival, not from when it asks");
    }

    private static FunctionContext Context(string name, string trigger, HttpContext? http = null)
    {
        var binding = new Mock<BindingMetadata>(MockBehavior.Strict);
        binding.SetupGet(b => b.Type).Returns(trigger);
        var definition = new Mock<FunctionDefinition>(MockBehavior.Strict);
        definition.SetupGet(d => d.Name).Returns(name);
        definition.SetupGet(d => d.InputBindings).Returns(ImmutableDictionary<string, BindingMetadata>.Empty.Add("trigger", binding.Object));
        var context = new Mock<FunctionContext>(MockBehavior.Strict);
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);
        // Where the ASP.NET Core integration keeps the request's HttpContext (FunctionContext.GetHttpContext reads it).
        var items = new Dictionary<object, object>();
        if (http is not null)
        {
            items["HttpRequestContext"] = http;
        }

        context.SetupGet(c => c.Items).Returns(items);
        return context.Object;
    }
}

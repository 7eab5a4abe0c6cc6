using AlertPipeline.Core.Pipeline;
using AlertPipeline.Functions.Functions;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Moq;

namespace AlertPipeline.UnitTests.Functions;

public sealed class FailureRedactionMiddlewareTests
{
    [Fact]
    public async Task Invoke_ExceptionQuotingAPhoneNumber_FailsWithItsTypeOnlyAndLogsNoMessage()
    {
        using var logs = new LogSink();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var middleware = new FailureRedactionMiddleware(loggers.CreateLogger<FailureRedactionMiddleware>());

        var act = () => middleware.Invoke(Context("SendSms"), _ => throw new InvalidOperationException("Twilio refused +447700900101"));

        var thrown = (await act.Should().ThrowAsync<FunctionFailedException>()).Which;
        thrown.Message.Should().Be("SendSms failed: unhandled System.InvalidOperationException (message withheld: it may hold personal data)");
        logs.Lines.Should().ContainSingle(l => l.Contains("InvalidOperationException", StringComparison.Ordinal))
            .And.NotContain(l => l.Contains("+447700900101", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invoke_OurOwnFailures_PassUnchanged()
    {
        using var logs = new LogSink();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var middleware = new FailureRedactionMiddleware(loggers.CreateLogger<FailureRedactionMiddleware>());

        await middleware.Invoking(m => m.Invoke(Context("FanOutChunk"), _ => throw new PipelineMessageException("fanout-chunks message: not valid JSON")))
            .Should().ThrowAsync<PipelineMessageException>().WithMessage("fanout-chunks message: not valid JSON");
        await middleware.Invoking(m => m.Invoke(Context("SendSms"), _ => throw new OperationCanceledException()))
            .Should().ThrowAsync<OperationCanceledException>();
        await middleware.Invoke(Context("HealthCheck"), _ => Task.CompletedTask);
        logs.Lines.Should().BeEmpty();
    }

    private static FunctionContext Context(string name)
    {
        var definition = new Mock<FunctionDefinition>(MockBehavior.Strict);
        definition.SetupGet(d => d.Name).Returns(name);
        var context = new Mock<FunctionContext>(MockBehavior.Strict);
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);
        context.SetupGet(c => c.InvocationId).Returns("inv-1");
        return context.Object;
    }
}

using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.ServiceBus;
using AlertPipeline.Testing;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using Moq;

namespace AlertPipeline.UnitTests.ServiceBus;

/// <summary>
/// The worker's hosted consumer: its processors come from a strict mocked <see cref="ServiceBusClient"/> and are
/// <see cref="FakeProcessor"/>s driven through the SDK's <c>OnProcessMessageAsync</c> hook.
/// </summary>
public sealed class DispatchProcessorServiceTests : IDisposable
{
    private readonly ServiceBusKit _kit = new();
    private readonly Dictionary<string, FakeProcessor> _processors = [];
    private readonly List<string> _settlements = [];
    private readonly LogSink _logs = new();

    public DispatchProcessorServiceTests()
    {
        _kit.Client.Setup(c => c.CreateProcessor(It.IsAny<string>(), It.IsAny<ServiceBusProcessorOptions>()))
            .Returns((string queue, ServiceBusProcessorOptions options) => _processors[queue] = new FakeProcessor(queue, options));
    }

    [Theory]
    [InlineData(40, 10)] // 40 segments/s × 0.25 s per provider call
    [InlineData(1, 2)] // at least two: one batch can wait on a slow call while another sends
    [InlineData(0, ServiceBusDispatchOptions.MaxDerivedConcurrency)] // unpaced
    public async Task Start_OnePeekLockProcessorPerQueue_NoAutoComplete_SmsSizedToThePacer(double segmentsPerSecond, int smsCalls)
    {
        await using var service = Service(new ServiceBusDispatchOptions(), segmentsPerSecond);

        await service.StartAsync(CancellationToken.None);

        _processors.Keys.Should().BeEquivalentTo([QueueNames.SmsDispatch, QueueNames.EmailDispatch]);
        _processors.Values.Should().OnlyContain(p => p.Started);
        foreach (var processor in _processors.Values)
        {
            processor.Options.ReceiveMode.Should().Be(ServiceBusReceiveMode.PeekLock);
            processor.Options.AutoCompleteMessages.Should().BeFalse("every message is settled explicitly");
            processor.Options.MaxAutoLockRenewalDuration.Should().Be(TimeSpan.FromMinutes(10));
            processor.Options.PrefetchCount.Should().Be(processor.Options.MaxConcurrentCalls, "a prefetched message waits at most about one batch");
        }

        _processors[QueueNames.SmsDispatch].Options.MaxConcurrentCalls.Should().Be(smsCalls);
        _processors[QueueNames.EmailDispatch].Options.MaxConcurrentCalls.Should().Be(4);
    }

    [Fact]
    public async Task Start_ConfiguredConcurrencyAndPrefetch_WinOverThePacer()
    {
        await using var service = Service(new ServiceBusDispatchOptions { MaxConcurrentCalls = 3, PrefetchCount = 0, EmailMaxConcurrentCalls = 2 }, 400);

        await service.StartAsync(CancellationToken.None);

        _processors[QueueNames.SmsDispatch].Options.Should().Match<ServiceBusProcessorOptions>(o => o.MaxConcurrentCalls == 3 && o.PrefetchCount == 0);
        _processors[QueueNames.EmailDispatch].Options.Should().Match<ServiceBusProcessorOptions>(o => o.MaxConcurrentCalls == 2 && o.PrefetchCount == 0);
    }

    [Fact]
    public async Task AMessage_ReachesTheSettler_AndIsSettledOnItsReceiver()
    {
        var handled = new List<DispatchBatch>();
        await using var service = Service(new ServiceBusDispatchOptions(), 10, (batch, _, _) =>
        {
            handled.Add(batch);
            return Task.FromResult(new DispatchBatchResult([], DispatchSettlement.Complete.Instance));
        });
        await service.StartAsync(CancellationToken.None);
        var batch = ServiceBusKit.Batch();

        await _processors[QueueNames.SmsDispatch].DeliverAsync(ServiceBusKit.Received(batch), ServiceBusKit.Receiver(_settlements).Object);

        handled.Should().Equal(batch);
        _settlements.Should().Equal("complete");
    }

    [Fact]
    public async Task Stop_WaitsForTheBatchInFlight_WhichFinishesAndSettles_ThenCloses()
    {
        var release = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        var cancelledDuringWork = false;
        await using var service = Service(new ServiceBusDispatchOptions(), 10, async (_, _, ct) =>
        {
            started.SetResult();
            await release.Task;
            cancelledDuringWork = ct.IsCancellationRequested;
            return new DispatchBatchResult([], DispatchSettlement.Complete.Instance);
        });
        await service.StartAsync(CancellationToken.None);
        var delivery = _processors[QueueNames.SmsDispatch].DeliverAsync(ServiceBusKit.Received(ServiceBusKit.Batch()), ServiceBusKit.Receiver(_settlements).Object);
        await started.Task;

        var stop = service.StopAsync(CancellationToken.None);
        await Task.Delay(50);
        stop.IsCompleted.Should().BeFalse("the processor drains the message in flight before the stop completes");
        release.SetResult();
        await stop;

        await delivery;
        cancelledDuringWork.Should().BeFalse("a graceful stop lets the batch's sends run to the end");
        _settlements.Should().Equal("complete");
        _processors.Values.Should().OnlyContain(p => p.Stopped && p.Closed);
    }

    [Fact]
    public async Task Stop_WhenTheHostsShutdownTimeRunsOut_CancelsTheWork_AndAbandonsTheMessage()
    {
        var started = new TaskCompletionSource();
        await using var service = Service(new ServiceBusDispatchOptions(), 10, async (_, _, ct) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return new DispatchBatchResult([], DispatchSettlement.Complete.Instance);
        });
        await service.StartAsync(CancellationToken.None);
        _ = _processors[QueueNames.SmsDispatch].DeliverAsync(ServiceBusKit.Received(ServiceBusKit.Batch()), ServiceBusKit.Receiver(_settlements).Object);
        await started.Task;
        using var shutdown = new CancellationTokenSource();

        var stop = service.StopAsync(shutdown.Token);
        await shutdown.CancelAsync();
        await stop.WaitAsync(TimeSpan.FromSeconds(10));

        _settlements.Should().Equal(["abandon"], "the message comes back at once for another instance");
        _logs.Lines.Should().Contain(l => l.Contains("shutdown time ran out", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProcessorErrors_AreLoggedByTypeAndReason_NeverByMessage()
    {
        await using var service = Service(new ServiceBusDispatchOptions(), 10);
        await service.StartAsync(CancellationToken.None);

        await _processors[QueueNames.SmsDispatch].RaiseErrorAsync(
            new ServiceBusException("lock lost while sending to +447700900123", ServiceBusFailureReason.MessageLockLost));

        _logs.Lines.Should().Contain(l => l.Contains("ServiceBusException", StringComparison.Ordinal) && l.Contains("MessageLockLost", StringComparison.Ordinal) && l.Contains(QueueNames.SmsDispatch, StringComparison.Ordinal));
        _logs.Lines.Should().NotContain(l => l.Contains("7700900123", StringComparison.Ordinal));
    }

    private DispatchProcessorService Service(
        ServiceBusDispatchOptions options, double segmentsPerSecond, Func<DispatchBatch, int, CancellationToken, Task<DispatchBatchResult>>? handle = null)
    {
        var loggers = new LoggerFactory([_logs]);
        var settler = new DispatchSettler(
            handle ?? ((_, _, _) => throw new InvalidOperationException("no message expected")), _kit.DispatchSenders, _kit.Time, loggers.CreateLogger<DispatchSettler>());
        return new DispatchProcessorService(_kit.Client.Object, settler, options, segmentsPerSecond, 1, loggers.CreateLogger<DispatchProcessorService>());
    }

    public void Dispose() => _logs.Dispose();
}

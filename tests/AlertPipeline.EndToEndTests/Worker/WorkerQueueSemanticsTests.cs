using System.Collections.Concurrent;
using System.Diagnostics;
using AlertPipeline.EndToEndTests.LocalHost;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Worker;

/// <summary>
/// The host's queue semantics (poison on undecodable input, no outputs from a failed invocation, lease renewal, several
/// hosts competing, graceful stop) with the unmodified isolated worker (tests/AlertPipeline.TestWorker) behind them.
/// Moved from the custom-handler suite (LocalHost/QueueTriggerTests, ScaleOutTests, ResilienceTests).
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class WorkerQueueSemanticsTests(ITestOutputHelper output)
{
    private const int InFlightAtStop = 104;
    private const int ShutdownTimedOut = 105;
    private const int Invoking = 212;
    private const int MessageCompleted = 300;
    private const int MessagePoisoned = 302;
    private const int LeaseRenewed = 305;

    [Fact]
    public async Task QueueTrigger_InvalidBase64_GoesStraightToPoisonWithoutInvoking()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var app = TestWorkerApp.Create(azurite, "Record");
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(app.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        const string wire = "this is *not* base64!";
        await queues.SendRawAsync(app.Queue("record"), wire);

        var poisoned = new ConcurrentBag<string>();
        await Poll.UntilAsync(
            async () =>
            {
                poisoned.AddRange(await queues.DrainRawAsync(app.Queue("record-poison")));
                return !poisoned.IsEmpty;
            },
            "the undecodable message in the poison queue",
            TestQueues.Patience);
        await host.StopAsync();

        poisoned.Should().ContainSingle().Which.Should().Be(wire, "the poison message is the original wire text");
        var poison = logs.Events(MessagePoisoned).Should().ContainSingle().Subject;
        poison.Property("DequeueCount").Should().Be("1", "it is never retried");
        poison.Property("Reason").Should().Contain("not valid base64");
        logs.Events(Invoking).Should().BeEmpty("the worker is never invoked");
        (await queues.DrainAsync(app.Queue("record-out"))).Should().BeEmpty();
        (await queues.CountAsync(app.Queue("record"))).Should().Be(0);
    }

    [Fact]
    public async Task FailedInvocation_WritesNoOutputs()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var app = TestWorkerApp.Create(azurite, "FailTimes");
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(app.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        await queues.SendAsync(app.Queue("failtimes"), """{"alwaysFail":true}""");
        var poisoned = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("failtimes-poison"), poisoned, o => o.Count >= 1, "the failing message in the poison queue");
        await host.StopAsync();

        logs.Events(Invoking).Should().HaveCount(3, "host.json sets maxDequeueCount 3");
        (await queues.DrainAsync(app.Queue("failtimes-out"))).Should().BeEmpty("a failed invocation's return value is not written");
        (await queues.CountAsync(app.Queue("failtimes"))).Should().Be(0, "the poisoned original is deleted");
    }

    [Fact]
    public async Task LeaseRenewal_SlowFunctionLongerThanLease_NotPickedUpBySecondHost()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var app = TestWorkerApp.Create(azurite, "Slow");
        using var logsA = new CapturedLogs(output, "A");
        using var logsB = new CapturedLogs(output, "B");
        var queues = new TestQueues(app.ConnectionString);
        var lease = TimeSpan.FromSeconds(4);
        await using var hostA = app.CreateHost(logsA, o => o.LeaseDuration = lease);
        await using var hostB = app.CreateHost(logsB, o => o.LeaseDuration = lease);
        await hostA.StartAsync();

        await queues.SendAsync(app.Queue("slow"), """{"delayMs":9000}""");
        await Poll.UntilAsync(() => logsA.Events(Invoking).Count > 0, "host A to start the slow invocation", TestQueues.Patience);
        await hostB.StartAsync();

        var observed = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("slow-out"), observed, o => o.Count >= 1, "the slow invocation to finish", TestQueues.Patience);
        await Poll.UntilAsync(async () => await queues.CountAsync(app.Queue("slow")) == 0, "the message to be deleted", TestQueues.Patience);
        await Task.WhenAll(hostA.StopAsync(), hostB.StopAsync());
        observed.AddRange(await queues.DrainAsync(app.Queue("slow-out")));

        observed.Should().ContainSingle("the lease was renewed while the function ran, so nobody else got the message");
        WorkerObservation.Parse(observed.Single()).DequeueCount.Should().Be(1);
        logsA.Events(LeaseRenewed).Should().HaveCountGreaterThanOrEqualTo(3, "a 9 s invocation under a 4 s lease is renewed every 2 s");
        logsB.Events(Invoking).Should().BeEmpty("host B never saw the message");
    }

    [Fact]
    public async Task TwoHosts_OneThousandMessages_EachHandledExactlyOnce()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var app = TestWorkerApp.Create(azurite, "Record");
        using var logsA = new CapturedLogs(output, "A");
        using var logsB = new CapturedLogs(output, "B");
        var queues = new TestQueues(app.ConnectionString);
        await using var hostA = app.CreateHost(logsA);
        await using var hostB = app.CreateHost(logsB);
        await Task.WhenAll(hostA.StartAsync(), hostB.StartAsync());

        const int count = 1000;
        var bodies = Enumerable.Range(0, count).Select(i => $$"""{"id":"m-{{i:D4}}"}""").ToList();
        await queues.SendManyAsync(app.Queue("record"), bodies);

        var observed = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("record-out"), observed, o => o.Count >= count, $"{count} observations", TimeSpan.FromSeconds(120));
        await Poll.UntilAsync(async () => await queues.CountAsync(app.Queue("record")) == 0, "every trigger message to be deleted", TestQueues.Patience);
        await Task.WhenAll(hostA.StopAsync(), hostB.StopAsync());
        observed.AddRange(await queues.DrainAsync(app.Queue("record-out")));

        var handled = observed.Select(o => WorkerObservation.Parse(o).Text).ToList();
        handled.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key).Should().BeEmpty("no message is handled twice");
        handled.Should().BeEquivalentTo(bodies, "every message is handled");
        var byA = logsA.Events(MessageCompleted).Count;
        var byB = logsB.Events(MessageCompleted).Count;
        output.WriteLine($"host A completed {byA}, host B {byB}");
        (byA + byB).Should().Be(count);
        byA.Should().BePositive("both hosts compete for the messages");
        byB.Should().BePositive("both hosts compete for the messages");
    }

    [Fact]
    public async Task GracefulStop_InFlightSlowInvocation_FinishesAndDeletesItsMessage()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var app = TestWorkerApp.Create(azurite, "Slow");
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(app.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        await queues.SendAsync(app.Queue("slow"), """{"delayMs":2500}""");
        await Poll.UntilAsync(() => logs.Events(Invoking).Count > 0, "the slow invocation to start", TestQueues.Patience);
        var workerPid = host.WorkerProcessId!.Value;
        var watch = Stopwatch.StartNew();
        await host.StopAsync();
        watch.Stop();

        (await queues.DrainAsync(app.Queue("slow-out"))).Should().ContainSingle("the in-flight invocation finished and its output was written");
        (await queues.CountAsync(app.Queue("slow"))).Should().Be(0, "its message was deleted before the host stopped");
        logs.Events(InFlightAtStop).Should().ContainSingle().Which.Property("InFlight").Should().Be("1");
        logs.Events(ShutdownTimedOut).Should().BeEmpty("it finished within the shutdown timeout");
        IsRunning(workerPid).Should().BeFalse("the worker is stopped last");
        output.WriteLine($"stop took {watch.ElapsedMilliseconds} ms");
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

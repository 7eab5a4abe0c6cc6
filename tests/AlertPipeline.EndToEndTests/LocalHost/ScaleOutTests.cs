using System.Collections.Concurrent;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.LocalHost;

/// <summary>Several local hosts on one Azurite compete for messages safely.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    private const int Invoking = 212;
    private const int MessageCompleted = 300;
    private const int LeaseRenewed = 305;

    [Fact]
    public async Task LeaseRenewal_SlowFunctionLongerThanLease_NotPickedUpBySecondHost()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        using var app = TestHandlerApp.Create(azurite, ["Slow"]);
        using var logsA = new CapturedLogs(output, "A");
        using var logsB = new CapturedLogs(output, "B");
        var queues = new TestQueues(azurite.ConnectionString);
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
        TestQueues.Observation(observed.Single()).SleptMs.Should().Be(9000);
        logsA.Events(LeaseRenewed).Should().HaveCountGreaterThanOrEqualTo(3, "a 9 s invocation under a 4 s lease is renewed every 2 s");
        logsB.Events(Invoking).Should().BeEmpty("host B never saw the message");
    }

    [Fact]
    public async Task TwoHosts_OneThousandMessages_EachHandledExactlyOnce()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        using var app = TestHandlerApp.Create(azurite, ["Record"]);
        using var logsA = new CapturedLogs(output, "A");
        using var logsB = new CapturedLogs(output, "B");
        var queues = new TestQueues(azurite.ConnectionString);
        await using var hostA = app.CreateHost(logsA);
        await using var hostB = app.CreateHost(logsB);
        await Task.WhenAll(hostA.StartAsync(), hostB.StartAsync());

        const int count = 1000;
        var ids = Enumerable.Range(0, count).Select(i => $"m-{i:D4}").ToList();
        await queues.SendManyAsync(app.Queue("record"), ids.Select(id => $$"""{"id":"{{id}}"}""").ToList());

        var observed = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("record-out"), observed, o => o.Count >= count, $"{count} observations", TimeSpan.FromSeconds(90));
        await Poll.UntilAsync(async () => await queues.CountAsync(app.Queue("record")) == 0, "every trigger message to be deleted", TestQueues.Patience);
        await Task.WhenAll(hostA.StopAsync(), hostB.StopAsync());
        observed.AddRange(await queues.DrainAsync(app.Queue("record-out")));

        var handled = observed.Select(o => TestQueues.Observation(o).Text).ToList();
        var duplicates = handled.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        duplicates.Should().BeEmpty("no message is handled twice");
        handled.Distinct().Should().HaveCount(count, "every message is handled");
        handled.Should().BeEquivalentTo(ids.Select(id => $$"""{"id":"{{id}}"}"""));
        var byA = logsA.Events(MessageCompleted).Count;
        var byB = logsB.Events(MessageCompleted).Count;
        output.WriteLine($"host A completed {byA}, host B {byB}");
        (byA + byB).Should().Be(count);
        byA.Should().BePositive("both hosts compete for the messages");
        byB.Should().BePositive("both hosts compete for the messages");
    }
}

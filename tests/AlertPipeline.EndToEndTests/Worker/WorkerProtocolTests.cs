using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using AlertPipeline.EndToEndTests.LocalHost;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Worker;

/// <summary>
/// The local host drives the unmodified isolated worker (tests/AlertPipeline.TestWorker) over the gRPC protocol: one test
/// per trigger and output kind, on Azurite.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class WorkerProtocolTests(ITestOutputHelper output)
{
    [Fact]
    public async Task QueueTrigger_ReturnOutput_CarriesMessageTextAndTriggerMetadata()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var app = TestWorkerApp.Create(azurite, "Record");
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(app.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();
        host.IsWorkerApp.Should().BeTrue("the app folder holds worker.config.json and functions.metadata");

        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var receipt = await queues.SendAsync(app.Queue("record"), "hello worker");
        var observed = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("record-out"), observed, o => o.Count >= 1, "the Record output");

        var observation = WorkerObservation.Parse(observed.Single());
        observation.Text.Should().Be("hello worker");
        observation.Id.Should().Be(receipt.MessageId);
        observation.DequeueCount.Should().Be(1);
        observation.PopReceipt.Should().NotBeNullOrEmpty();
        DateTimeOffset.Parse(observation.InsertionTime!, CultureInfo.InvariantCulture).Should().BeAfter(before);
        DateTimeOffset.Parse(observation.ExpirationTime!, CultureInfo.InvariantCulture).Should().BeAfter(DateTimeOffset.UtcNow);
        DateTimeOffset.Parse(observation.NextVisibleTime!, CultureInfo.InvariantCulture).Should().BeAfter(before);
        (await queues.CountAsync(app.Queue("record"))).Should().Be(0, "a successful invocation deletes its message");
    }

    [Fact]
    public async Task MultiOutputReturnType_EachPropertyGoesToItsQueue()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var app = TestWorkerApp.Create(azurite, "MultiOutput");
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(app.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        await queues.SendAsync(app.Queue("multi"), "m1");
        var observed = new ConcurrentBag<string>();
        var copies = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("multi-observed"), observed, o => o.Count >= 1, "the Observed output");
        await queues.CollectUntilAsync(app.Queue("multi-copies"), copies, o => o.Count >= 2, "both Copies");

        WorkerObservation.Parse(observed.Single()).Text.Should().Be("m1");
        copies.Should().BeEquivalentTo(["m1-a", "m1-b"], "an array property is one message per element");
    }

    [Fact]
    public async Task ArrayOfObjects_ReturnOutput_OneMessagePerElement()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var app = TestWorkerApp.Create(azurite, "FanOutArray");
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(app.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        await queues.SendAsync(app.Queue("fanout"), """{"count":5,"tag":"t1"}""");
        var items = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("fanout-out"), items, o => o.Count >= 5, "five fan-out items");

        items.Select(i => JsonDocument.Parse(i).RootElement.GetProperty("Index").GetInt32()).Should().BeEquivalentTo([0, 1, 2, 3, 4]);
        items.Should().OnlyContain(i => i.Contains("\"Tag\":\"t1\"", StringComparison.Ordinal), "each message is one element's JSON");
    }

    [Fact]
    public async Task FailingFunction_RetriedUntilMaxDequeueCount_ThenPoisonedWithTheReason()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var app = TestWorkerApp.Create(azurite, "FailTimes");
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(app.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        await queues.SendAsync(app.Queue("failtimes"), """{"alwaysFail":true}""");
        await queues.SendAsync(app.Queue("failtimes"), """{"succeedOnAttempt":2}""");
        var poisoned = new ConcurrentBag<string>();
        var succeeded = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("failtimes-poison"), poisoned, o => o.Count >= 1, "the failing message in the poison queue");
        await queues.CollectUntilAsync(app.Queue("failtimes-out"), succeeded, o => o.Count >= 1, "the second message to succeed on its retry");

        poisoned.Should().ContainSingle().Which.Should().Be("""{"alwaysFail":true}""");
        WorkerObservation.Parse(succeeded.Single()).DequeueCount.Should().Be(2);
        var poisonEvent = logs.Events(302).Should().ContainSingle().Subject;
        poisonEvent.Property("DequeueCount").Should().Be("3", "host.json sets maxDequeueCount 3");
        poisonEvent.Property("Reason").Should().Contain("FailTimes fails on attempt 3 as asked");
    }

    [Fact]
    public async Task TimerTrigger_FiresWithTimerInfo()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var app = TestWorkerApp.Create(azurite, "Tick");
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(app.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        var ticks = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("tick-out"), ticks, o => o.Count >= 2, "two ticks");
        await host.StopAsync();

        var second = ticks.Select(t => JsonDocument.Parse(t).RootElement).OrderBy(t => t.GetProperty("Next").GetDateTimeOffset()).Last();
        second.GetProperty("IsPastDue").GetBoolean().Should().BeFalse();
        second.GetProperty("Next").GetDateTimeOffset().Should().BeAfter(second.GetProperty("Last").GetDateTimeOffset(), "the schedule status came through");
    }

    [Fact]
    public async Task HttpTrigger_RequestForwardedToTheWorker_IActionResultRelayed()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var app = TestWorkerApp.Create(azurite, "Echo");
        using var logs = new CapturedLogs(output);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        using var client = new HttpClient { BaseAddress = host.HttpAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/test/echo?q=abc") { Content = new StringContent("the body") };
        request.Headers.TryAddWithoutValidation("x-ms-invocation-id", "a-stale-id-the-host-must-overwrite");
        using var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("x-test-function").Should().Equal("Echo");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        body.GetProperty("method").GetString().Should().Be("POST");
        body.GetProperty("q").GetString().Should().Be("abc");
        body.GetProperty("body").GetString().Should().Be("the body");

        using var missing = await client.GetAsync("api/no/such/route");
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task WorkerLogs_ReachTheHostLog_WithIdsAndTimesKeptAndPersonalDataMasked()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var app = TestWorkerApp.Create(azurite, "LogLines");
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(app.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        await queues.SendAsync(app.Queue("log"), "log this");
        var observed = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("log-out"), observed, o => o.Count >= 1, "the LogLines output");
        var observation = WorkerObservation.Parse(observed.Single());

        await Poll.UntilAsync(() => Task.FromResult(logs.Events(223).Any(e => e.Message.Contains("LogLines handled", StringComparison.Ordinal))), "the worker's log line");
        var line = logs.Events(223).First(e => e.Message.Contains("LogLines handled", StringComparison.Ordinal)).Message;
        output.WriteLine(line);
        line.Should().Contain(observation.Id!, "message ids are not masked");
        line.Should().Contain(observation.InsertionTime!, "timestamps are not masked");
        line.Should().NotContain("7700 900123").And.NotContain("member@example.org");
        logs.Entries.Should().NotContain(e => e.Message.Contains("900123", StringComparison.Ordinal) || e.Message.Contains("member@", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WorkerCrashesMidInvocation_RestartedAndTheMessageIsNotLost()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var app = TestWorkerApp.Create(azurite, "CrashOnce", "Record");
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(app.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();
        var firstWorker = host.WorkerProcessId!.Value;

        await queues.SendAsync(app.Queue("crash"), "crash me once");
        var observed = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("crash-out"), observed, o => o.Count >= 1, "the crashing message to be handled after the restart");

        var observation = WorkerObservation.Parse(observed.Single());
        observation.Text.Should().Be("crash me once");
        observation.DequeueCount.Should().Be(2, "the first delivery crashed the worker and failed");
        host.WorkerRestarts.Should().BeGreaterThanOrEqualTo(1);
        host.WorkerProcessId.Should().NotBe(firstWorker);
        logs.Events(202).Should().Contain(e => e.Property("ProcessId") == firstWorker.ToString(CultureInfo.InvariantCulture));

        await queues.SendAsync(app.Queue("record"), "after the crash");
        var later = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("record-out"), later, o => o.Count >= 1, "a later message on the restarted worker");
        WorkerObservation.Parse(later.Single()).DequeueCount.Should().Be(1);
    }

    [Fact]
    public async Task Stop_SendsWorkerTerminate_AndTheWorkerExits()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var app = TestWorkerApp.Create(azurite, "Record");
        using var logs = new CapturedLogs(output);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();
        var worker = System.Diagnostics.Process.GetProcessById(host.WorkerProcessId!.Value);

        await host.StopAsync();

        worker.HasExited.Should().BeTrue("the host waits for the worker to stop");
        logs.Events(207).Should().ContainSingle();
        logs.Events(202).Should().BeEmpty("a stop is not a crash: no restart");
    }
}

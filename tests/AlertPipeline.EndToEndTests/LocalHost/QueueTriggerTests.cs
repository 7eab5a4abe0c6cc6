using System.Collections.Concurrent;
using System.Text.Json;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.LocalHost;

[Collection(LocalHostCollection.Name)]
public sealed class QueueTriggerTests(ITestOutputHelper output)
{
    // Event ids of AlertPipeline.LocalHost.LocalHostLog.
    private const int MessageFailed = 301;
    private const int MessagePoisoned = 302;

    [Fact]
    public async Task QueueTrigger_OneMessage_HandledOnceAndDeleted()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        using var app = TestHandlerApp.Create(azurite, ["Record"]);
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(azurite.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        var receipt = await queues.SendAsync(app.Queue("record"), """{"kind":"hello","n":1}""");

        var observed = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("record-out"), observed, o => o.Count >= 1, "Record's observation");
        await Poll.UntilAsync(async () => await queues.CountAsync(app.Queue("record")) == 0, "the trigger message to be deleted", TestQueues.Patience);
        await host.StopAsync();

        observed.AddRange(await queues.DrainAsync(app.Queue("record-out")));
        observed.Should().ContainSingle("the message is handled exactly once");
        var observation = TestQueues.Observation(observed.Single());
        observation.Function.Should().Be("Record");
        observation.Text.Should().Be("""{"kind":"hello","n":1}""", "the handler decodes the host's double-encoded string back to the message");
        observation.Attempt.Should().Be(1);
        logs.Entries.Should().NotContain(e => e.Message.Contains("hello", StringComparison.Ordinal), "message bodies are never logged");
        logs.Events(300).Should().ContainSingle(e => e.Property("MessageId") == receipt.MessageId);
    }

    [Fact]
    public async Task QueueTrigger_AlwaysFailing_RetriedThenPoisonedWithReasonLogged()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        using var app = TestHandlerApp.Create(azurite, ["FailTimes"]);
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(azurite.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        const string body = """{"alwaysFail":true,"ref":"poison-me"}""";
        var receipt = await queues.SendAsync(app.Queue("failtimes"), body);

        var poisoned = new ConcurrentBag<string>();
        await Poll.UntilAsync(
            async () =>
            {
                poisoned.AddRange(await queues.DrainRawAsync(app.Queue("failtimes-poison")));
                return !poisoned.IsEmpty;
            },
            "the message in the poison queue",
            TestQueues.Patience);
        await Poll.UntilAsync(async () => await queues.CountAsync(app.Queue("failtimes")) == 0, "the original to be deleted", TestQueues.Patience);
        await host.StopAsync();

        poisoned.Should().ContainSingle().Which.Should().Be(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(body)), "the poison message is the original, byte for byte");
        var failures = logs.Events(MessageFailed).Where(e => e.Property("MessageId") == receipt.MessageId).ToList();
        failures.Select(e => e.Property("DequeueCount")).Should().Equal("1", "2", "3");
        failures.Should().OnlyContain(e => e.Property("Reason")!.StartsWith("HTTP 500: alwaysFail is set", StringComparison.Ordinal));
        var poison = logs.Events(MessagePoisoned).Should().ContainSingle().Subject;
        poison.Property("MessageId").Should().Be(receipt.MessageId);
        poison.Property("PoisonQueue").Should().Be(app.Queue("failtimes-poison"));
        poison.Property("DequeueCount").Should().Be("3");
        poison.Property("Reason").Should().Be("HTTP 500: alwaysFail is set (attempt 3).");
        (await queues.DrainAsync(app.Queue("failtimes-out"))).Should().BeEmpty("a failed invocation writes no outputs");
    }

    [Fact]
    public async Task QueueTrigger_FailsTwice_SucceedsOnThirdAttempt()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        using var app = TestHandlerApp.Create(azurite, ["FailTimes"], q => q["maxDequeueCount"] = 5);
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(azurite.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        await queues.SendAsync(app.Queue("failtimes"), """{"succeedOnAttempt":3}""");

        var observed = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("failtimes-out"), observed, o => o.Count >= 1, "the successful third attempt");
        await Poll.UntilAsync(async () => await queues.CountAsync(app.Queue("failtimes")) == 0, "the trigger message to be deleted", TestQueues.Patience);
        await host.StopAsync();

        observed.AddRange(await queues.DrainAsync(app.Queue("failtimes-out")));
        TestQueues.Observation(observed.Should().ContainSingle().Subject).Attempt.Should().Be(3);
        logs.Events(MessageFailed).Should().HaveCount(2);
        logs.Events(MessagePoisoned).Should().BeEmpty();
        (await queues.DrainRawAsync(app.Queue("failtimes-poison"))).Should().BeEmpty();
    }

    [Fact]
    public async Task QueueTrigger_InvalidBase64_GoesStraightToPoison()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        using var app = TestHandlerApp.Create(azurite, ["Record"]);
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(azurite.ConnectionString);
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

        poisoned.Should().ContainSingle().Which.Should().Be(wire);
        var poison = logs.Events(MessagePoisoned).Should().ContainSingle().Subject;
        poison.Property("DequeueCount").Should().Be("1", "it is never retried");
        poison.Property("Reason").Should().Contain("not valid base64");
        logs.Events(212).Should().BeEmpty("the function is never invoked");
        (await queues.DrainAsync(app.Queue("record-out"))).Should().BeEmpty();
        (await queues.CountAsync(app.Queue("record"))).Should().Be(0);
    }

    [Fact]
    public async Task ArrayOutput_BecomesOneMessagePerElement()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        using var app = TestHandlerApp.Create(azurite, ["FanOutArray"]);
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(azurite.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        await queues.SendAsync(app.Queue("fanout"), """{"count":25,"tag":"batch-a"}""");

        var items = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("fanout-out"), items, o => o.Count >= 25, "25 fanned-out messages");
        await Poll.UntilAsync(async () => await queues.CountAsync(app.Queue("fanout")) == 0, "the trigger message to be deleted", TestQueues.Patience);
        await host.StopAsync();
        items.AddRange(await queues.DrainAsync(app.Queue("fanout-out")));

        var parsed = items.Select(i => JsonDocument.Parse(i).RootElement).ToList();
        parsed.Should().HaveCount(25);
        parsed.Select(p => p.GetProperty("index").GetInt32()).Should().BeEquivalentTo(Enumerable.Range(0, 25));
        parsed.Should().OnlyContain(p => p.GetProperty("of").GetInt32() == 25 && p.GetProperty("tag").GetString() == "batch-a",
            "each element is written as its own JSON object");
    }

    [Fact]
    public async Task FailedInvocation_WritesNoOutputs()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        using var app = TestHandlerApp.Create(azurite, ["FanOutArray"]);
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(azurite.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        await queues.SendAsync(app.Queue("fanout"), """{"count":5000}""");

        var poisoned = new ConcurrentBag<string>();
        await Poll.UntilAsync(
            async () =>
            {
                poisoned.AddRange(await queues.DrainRawAsync(app.Queue("fanout-poison")));
                return !poisoned.IsEmpty;
            },
            "the failing message in the poison queue",
            TestQueues.Patience);
        await host.StopAsync();

        logs.Events(MessageFailed).Should().HaveCount(3).And.OnlyContain(e => e.Property("Reason")!.Contains("count must be 0..1000", StringComparison.Ordinal));
        (await queues.CountAsync(app.Queue("fanout-out"))).Should().Be(0, "outputs are written only after a successful invocation");
    }
}

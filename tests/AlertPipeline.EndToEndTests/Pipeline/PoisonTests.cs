using System.Text.Json.Nodes;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Testing;
using NodaTime;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>Invariant 5 through the real app: a bad event goes to alert-events-poison with its reasons recorded and logged; the rest flows on.</summary>
[Collection(PipelineCollection.Name)]
public sealed class PoisonTests(ITestOutputHelper output)
{
    [Fact]
    public async Task InvalidEvents_LandInThePoisonQueueWithTheirReasons_ValidOnesStillFanOut()
    {
        await using var world = await PipelineEnvironment.CreateAsync(output);
        await world.SeedAsync(TestSeeds.Members);
        await world.StartHostAsync();
        var valid = TestEvents.Hearing("appeal-hearing", TestSeeds.Campaign);
        var invalid = valid.Body
            .Replace("\"Asia/Aqtau\"", "\"Asia/Aktau\"", StringComparison.Ordinal)
            .Replace("\"channels\": [\"sms\"]", "\"channels\": [\"sms\", \"fax\"]", StringComparison.Ordinal);
        invalid.Should().NotBe(valid.Body);
        const string notJson = "Zhanaozen anniversary: send to everyone!";

        await world.EnqueueAsync(invalid);
        await world.EnqueueAsync(notJson);
        await world.EnqueueAsync(valid.Body);

        var poison = world.Queue(QueueNames.AlertEventsPoison);
        var poisoned = await Poll.ForAsync(
            async () => await poison.ExistsAsync() ? (await poison.PeekMessagesAsync(32)).Value : [],
            messages => messages.Length >= 2,
            "two messages in alert-events-poison");
        poisoned.Should().HaveCount(2);
        poisoned.Select(m => JsonNode.Parse(m.Body.ToString())).Should().ContainSingle(n => JsonNode.DeepEquals(n, JsonNode.Parse(invalid)), "the original event, unchanged")
            .And.ContainSingle(n => (string?)n!["unparsedBody"] == notJson, "a body that is not JSON is kept verbatim");

        var rejected = await Poll.ForAsync(
            () => world.Rejections.ListAsync(SystemClock.Instance.GetCurrentInstant().InUtc().Date),
            list => list.Count >= 2,
            "two recorded rejections");
        var reasons = rejected.Single(r => r.Reasons.Contains("$.channels", StringComparison.Ordinal)).Reasons;
        reasons.Should().Contain("$.channels[1]").And.Contain("fax").And.Contain("$.occurrence.timeZone").And.Contain("Asia/Aktau");
        world.Logs.Lines.Should().Contain(l => l.Contains("rejected", StringComparison.Ordinal) && l.Contains("$.channels[1]", StringComparison.Ordinal),
            "the reason is logged (by the handler, through the local host)");

        var rows = await world.WaitForSettledRowsAsync(valid.AlertId, 7);
        rows.Should().HaveCount(7, "the valid event behind them still fans out");
        (await world.Queue(QueueNames.AlertEvents).GetApproximateMessageCountAsync()).Should().Be(0, "rejected events are not retried");
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.LocalHost;

[Collection(LocalHostCollection.Name)]
public sealed class TimerAndHttpTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TimerTrigger_EveryTwoSeconds_FiresRepeatedlyWithScheduleStatus()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        using var app = TestHandlerApp.Create(azurite, ["Tick"]);
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(azurite.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        var ticks = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("tick-out"), ticks, t => t.Count >= 2, "two ticks", TestQueues.Patience);
        await host.StopAsync();

        var parsed = ticks.Select(t => JsonDocument.Parse(t).RootElement)
            .OrderBy(t => t.GetProperty("next").GetDateTimeOffset())
            .ToList();
        parsed.Should().HaveCountGreaterThanOrEqualTo(2);
        parsed.Should().OnlyContain(t => !t.GetProperty("isPastDue").GetBoolean());
        var first = parsed[0].GetProperty("next").GetDateTimeOffset();
        var second = parsed[1].GetProperty("next").GetDateTimeOffset();
        (second - first).Should().Be(TimeSpan.FromSeconds(2), "the schedule is */2 seconds");
        (first.Second % 2).Should().Be(0);
        parsed[1].GetProperty("last").GetDateTimeOffset().Should().Be(first, "Last is the previous occurrence");
    }

    [Fact]
    public async Task HttpTrigger_Forwarded_WithMethodPathQueryAndBody_ResponseReturnedAsIs()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        using var app = TestHandlerApp.Create(azurite, ["Http"]);
        using var logs = new CapturedLogs(output);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();
        using var http = new HttpClient { BaseAddress = host.HttpAddress };

        using var post = await http.PostAsync("api/test/echo?x=1&y=two%20words", new StringContent("hello body", Encoding.UTF8, "text/plain"));
        var echoed = JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement;

        using var teapot = await http.GetAsync("api/test/echo?status=418");
        using var wrongMethod = await http.PutAsync("api/test/echo", new StringContent("x"));
        using var unknown = await http.GetAsync("api/nothing/here");
        await host.StopAsync();

        post.StatusCode.Should().Be(HttpStatusCode.OK);
        post.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        echoed.GetProperty("function").GetString().Should().Be("Http");
        echoed.GetProperty("method").GetString().Should().Be("POST");
        echoed.GetProperty("path").GetString().Should().Be("/api/test/echo");
        echoed.GetProperty("query").GetString().Should().Be("?x=1&y=two%20words");
        echoed.GetProperty("body").GetString().Should().Be("hello body");
        ((int)teapot.StatusCode).Should().Be(418, "a non-2xx answer is returned as is");
        wrongMethod.IsSuccessStatusCode.Should().BeFalse("function.json allows GET and POST only");
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}

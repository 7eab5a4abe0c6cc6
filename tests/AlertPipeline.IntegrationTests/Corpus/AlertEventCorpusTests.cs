using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlertPipeline.Functions.Functions;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Testing;
using NodaTime;

namespace AlertPipeline.IntegrationTests.Corpus;

/// <summary>
/// <c>tests/corpus/alert-events.json</c> through the real FanOut function (as the worker calls it: the message text in,
/// the queue outputs out) on Azurite: every bad event is rejected with the error naming its field, its body is the
/// function's <c>alert-events-poison</c> output, a RejectedEvents row records its reasons, nothing is fanned out, and no
/// log line written meanwhile holds a phone number or an email address.
/// </summary>
public sealed class AlertEventCorpusTests(CorpusApp app) : IClassFixture<CorpusApp>
{
    private const string File = "alert-events.json";

    public static TheoryData<string> Cases => Corpus.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadEvent_IsPoisonedWithItsReasonsRecorded(string name)
    {
        var item = Corpus.Case(File, name);
        var body = Body(item);
        var messageId = "corpus-" + name;
        var mark = app.Logs.Lines.Count;
        var before = SystemClock.Instance.GetCurrentInstant().InUtc().Date;

        var output = await app.Function<FanOutFunction>().RunAsync(body, messageId, default);

        output.Chunks.Should().BeNull("a rejected event is never fanned out");
        output.Poison.Should().NotBeNull("the body goes to alert-events-poison");
        if (ObjectText(body) is { } asObject)
        {
            output.Poison.Should().Be(asObject, "the poison queue keeps the event as it was");
        }
        else
        {
            using var wrapped = JsonDocument.Parse(output.Poison!);
            wrapped.RootElement.GetProperty("unparsedBody").GetString().Should().Be(body, "a body that is not a JSON object is kept whole, wrapped");
        }

        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        var rejections = app.Service<RejectedEventRepository>();
        var rows = (await rejections.ListAsync(before)).Concat(await rejections.ListAsync(before.PlusDays(1))).Where(r => r.BodySha256 == sha).ToList();
        var row = rows.Should().ContainSingle("one RejectedEvents row per body").Which;
        row.MessageId.Should().Be(messageId);
        foreach (var fragment in item["errors"]!.AsArray().Select(e => e!.GetValue<string>()))
        {
            row.Reasons.Should().Contain(fragment, $"the reasons name the field ({row.Reasons})");
        }

        var lines = app.LinesSince(mark);
        lines.Should().Contain(l => l.Contains("rejected", StringComparison.Ordinal) && l.Contains(messageId, StringComparison.Ordinal));
        LogScan.Lines(lines, name).Should().BeEmpty(LogScan.Report(LogScan.Lines(lines, name)));
    }

    /// <summary>The message text FanOut receives: the case's bytes decoded as UTF-8, as the queue trigger decodes them.</summary>
    private string Body(JsonObject item)
    {
        string text;
        if (Corpus.String(item, "raw") is { } raw)
        {
            text = Corpus.Expand(raw);
        }
        else
        {
            var root = Corpus.File(File)["base"]!.DeepClone().AsObject();
            foreach (var path in item["remove"]?.AsArray().Select(p => p!.GetValue<string>()) ?? [])
            {
                var (parent, last) = Navigate(root, path);
                parent.Remove(last);
            }

            foreach (var (path, value) in item["set"]?.AsObject() ?? [])
            {
                var (parent, last) = Navigate(root, path);
                parent[last] = Corpus.Expand(value);
            }

            text = root.ToJsonString(Corpus.Literal);
        }

        text = text.Replace("{campaign}", app.Campaign.Value, StringComparison.Ordinal);
        return Encoding.UTF8.GetString(Corpus.Encode(text, Corpus.String(item, "encoding")));
    }

    private static (JsonObject Parent, string Name) Navigate(JsonObject root, string path)
    {
        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            node = node[part]!.AsObject();
        }

        return (node, parts[^1]);
    }

    /// <summary>The body's JSON object text (without surrounding white space), or null when it is not a JSON object.</summary>
    private static string? ObjectText(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.GetRawText() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

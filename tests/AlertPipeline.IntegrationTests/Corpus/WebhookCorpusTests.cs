using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Channels;
using AlertPipeline.Infrastructure.Twilio;
using AlertPipeline.Testing;

namespace AlertPipeline.IntegrationTests.Corpus;

/// <summary>
/// <c>tests/corpus/webhooks.json</c> through the real webhook functions over HTTP (bounded reader, signature check,
/// handlers, Azurite; an accepted status callback is applied from the app's <c>sms-status</c> queue after each step): malformed, oversized, forged and tampered requests are refused and change nothing; signed ones
/// with unknown statuses or references are ignored (200, so Twilio stops); replays of valid requests change nothing;
/// and no log line holds a number or an address.
/// </summary>
public sealed class WebhookCorpusTests(CorpusApp app) : IClassFixture<CorpusApp>
{
    private const string File = "webhooks.json";
    private static readonly SemaphoreSlim RowsLock = new(1, 1);
    private static readonly Dictionary<CorpusApp, Queue<DeliveryRecord>> Rows = [];

    public static TheoryData<string> Cases => Corpus.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadOrReplayedWebhook_ChangesNothingItShouldNot(string name)
    {
        var item = Corpus.Case(File, name);
        var index = Corpus.File(File)["cases"]!.AsArray().IndexOf(item);
        var row = item["row"]?.GetValue<bool>() == true ? await TakeRowAsync() : null;
        var from = row is null ? $"+4477009004{index:D2}" : Phone(row);
        var sids = new Dictionary<string, string>(StringComparer.Ordinal);
        var sent = new List<(string Url, string? ContentType, byte[] Body, string? Signature)>();
        var mark = app.Logs.Lines.Count;

        var stepNumber = 0;
        foreach (var step in item["steps"]!.AsArray().Select(s => s!.AsObject()))
        {
            var request = step["replay"] is { } replay ? sent[replay.GetValue<int>()] : Build(step, row, from, sids);
            sent.Add(request);
            var before = row is null ? null : await app.Service<IDeliveryStore>().GetAsync(row.Key);

            using var response = await PostAsync(request);

            var because = $"step {stepNumber} of {name}";
            ((int)response.StatusCode).Should().Be(step["status"]!.GetValue<int>(), because);

            // A status callback the webhook accepted waits on sms-status: apply it as ApplySmsStatus would before looking at
            // the row (a refused request must have queued nothing).
            var applied = await app.Factory.ApplyQueuedStatusCallbacksAsync();
            if (!response.IsSuccessStatusCode)
            {
                applied.Should().Be(0, $"a refused request queues nothing ({because})");
            }
            if (step["unchanged"]?.GetValue<bool>() == true)
            {
                var after = await app.Service<IDeliveryStore>().GetAsync(row!.Key);
                after!.ETag.Should().Be(before!.ETag, $"the row is not written ({because})");
                after.Record.Should().Be(before.Record, because);
            }

            if (step["optedOut"] is { } optedOut)
            {
                (await app.IsOptedOutAsync(from)).Should().Be(optedOut.GetValue<bool>(), because);
            }

            stepNumber++;
        }

        if (Corpus.String(item, "rowStatus") is { } status)
        {
            (await app.Service<IDeliveryStore>().GetAsync(row!.Key))!.Record.Status.Should().Be(Enum.Parse<DeliveryStatus>(status));
        }

        if (item["optedOut"] is { } finallyOptedOut)
        {
            (await app.IsOptedOutAsync(from)).Should().Be(finallyOptedOut.GetValue<bool>(), "the opt-out state after the last step");
        }

        var lines = app.LinesSince(mark);
        lines.Should().NotBeEmpty("every webhook request is logged");
        LogScan.Lines(lines, name).Should().BeEmpty(LogScan.Report(LogScan.Lines(lines, name)));
    }

    private (string Url, string? ContentType, byte[] Body, string? Signature) Build(
        JsonObject step, DeliveryRecord? row, string from, Dictionary<string, string> sids)
    {
        string Fill(string text)
        {
            text = text.Replace("{ref}", row?.Key.Value ?? "no-row", StringComparison.Ordinal)
                .Replace("{sid}", row?.ProviderId ?? "no-row", StringComparison.Ordinal)
                .Replace("{from}", from, StringComparison.Ordinal);
            return System.Text.RegularExpressions.Regex.Replace(
                text, @"\{sid:(\w+)\}", m => sids.TryGetValue(m.Groups[1].Value, out var sid) ? sid : sids[m.Groups[1].Value] = "SM" + Guid.NewGuid().ToString("N"));
        }

        List<KeyValuePair<string, string>> Form(JsonNode? node) =>
            [.. (node?.AsObject() ?? []).Select(p => KeyValuePair.Create(Fill(Corpus.Expand(p.Key)), Fill(Corpus.Expand(p.Value!.GetValue<string>()))))];

        var endpoint = Corpus.String(step, "endpoint") == "status" ? "/api/twilio/status" : "/api/twilio/inbound";
        var path = endpoint == "/api/twilio/status" ? $"{endpoint}?ref={Fill(Corpus.String(step, "ref") ?? "{ref}")}" : endpoint;
        var form = Form(step["form"]);
        for (var i = 0; i < (step["extraFields"]?.GetValue<int>() ?? 0); i++)
        {
            form.Add(KeyValuePair.Create($"Extra{i}", "1"));
        }

        var url = CorpusApp.WebhookBase + path;
        var signature = Corpus.String(step, "signature") switch
        {
            "valid" => FakeTwilioServer.Sign(CorpusApp.AuthToken, url, form),
            "none" => null,
            "forged" => Convert.ToBase64String(Encoding.UTF8.GetBytes("not-a-twilio-signature")),
            "other-token" => FakeTwilioServer.Sign("another-auth-token", url, form),
            "other-url" => FakeTwilioServer.Sign(CorpusApp.AuthToken, CorpusApp.WebhookBase + "/api/twilio/status?ref=another", form),
            "tampered" => FakeTwilioServer.Sign(CorpusApp.AuthToken, url, Form(step["signedAs"])),
            var other => throw new ArgumentException($"unknown signature mode '{other}'"),
        };
        return Corpus.String(step, "rawBody") is { } raw
            ? (path, Corpus.String(step, "contentType"), Encoding.UTF8.GetBytes(Fill(raw)), signature)
            : (path, "application/x-www-form-urlencoded", Encoding.UTF8.GetBytes(FormEncoding.Encode(form)), signature);
    }

    private async Task<HttpResponseMessage> PostAsync((string Url, string? ContentType, byte[] Body, string? Signature) request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(request.Url, UriKind.Relative)) { Content = new ByteArrayContent(request.Body) };
        if (request.ContentType is not null)
        {
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
        }

        if (request.Signature is not null)
        {
            message.Headers.Add(TwilioWebhookSignature.Header, request.Signature);
        }

        return await app.Client.SendAsync(message);
    }

    /// <summary>A Sent SMS row of its own (made, with the others the corpus needs, on first use in this fixture).</summary>
    private async Task<DeliveryRecord> TakeRowAsync()
    {
        await RowsLock.WaitAsync();
        try
        {
            if (!Rows.TryGetValue(app, out var queue))
            {
                var needed = Corpus.File(File)["cases"]!.AsArray().Count(c => c!["row"]?.GetValue<bool>() == true);
                var phones = Enumerable.Range(0, needed).Select(i => $"+4477009005{i:D2}").ToList();
                _phones[app] = [];
                var rows = await app.SentSmsRowsAsync(phones);
                foreach (var record in rows)
                {
                    _phones[app][record.Key.Value] = phones[int.Parse(record.Contact!.ContactId.Value[1..], System.Globalization.CultureInfo.InvariantCulture)];
                }

                Rows[app] = queue = new Queue<DeliveryRecord>(rows);
            }

            return queue.Dequeue();
        }
        finally
        {
            RowsLock.Release();
        }
    }

    private static readonly Dictionary<CorpusApp, Dictionary<string, string>> _phones = [];

    private string Phone(DeliveryRecord row) => _phones[app][row.Key.Value];
}

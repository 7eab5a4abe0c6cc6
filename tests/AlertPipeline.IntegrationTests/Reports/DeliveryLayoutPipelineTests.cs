using System.Net;
using System.Text.Json;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Testing;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.IntegrationTests.Reports;

/// <summary>
/// Alerts in each partition layout on Azurite, end to end through the real handlers: an alert stored before layouts (its
/// Alerts row without <c>DeliveryBuckets</c>, one-digit partitions) and a 256-bucket alert (whose dispatch batches of one
/// first digit span several partitions) are sent in batches, take Twilio status callbacks, page and report — each time
/// by an app instance other than the one that fanned the alert out, so only the stored layout can be followed.
/// </summary>
public sealed class DeliveryLayoutPipelineTests(ReportsTestApp app) : IClassFixture<ReportsTestApp>
{
    [Fact]
    public async Task WideLayoutAlert_FannedOutElsewhere_SendsInBatchesTakesCallbacksPagesAndReports()
    {
        var world = await WorldAsync();
        await using var wide = TestFunctionApps.Create(app.Storage.ConnectionString, app.Storage.Prefix, new Dictionary<string, string>
        {
            ["Pipeline:DeliveryBuckets"] = "256",
            ["Pipeline:FanOutPageSize"] = "3",
        });

        var alertId = await FanOutAsync(wide, world.CampaignId);

        (await RawAlertAsync(alertId)).GetInt32(AlertRepository.LayoutColumn).Should().Be(256, "recorded on the alert before its deliveries");
        var partitions = await RawPartitionsAsync(alertId);
        partitions.Should().HaveCount(24, "12 contacts on 2 channels");
        partitions.Should().OnlyContain(p => p.Suffix.Length == 2 && HashOf(p.RowKey).StartsWith(p.Suffix, StringComparison.Ordinal), "a 256-bucket partition is the hash's first two digits");
        partitions.Select(p => p.Suffix).Distinct().Should().HaveCountGreaterThan(1);

        await SendInBatchesAsync(alertId, spanPartitions: true);
        await AssertSentCallbacksAndReportAsync(world, alertId);
    }

    [Fact]
    public async Task AlertStoredBeforeLayouts_StillSendsInBatchesTakesCallbacksPagesAndReports()
    {
        var world = await WorldAsync();
        await using var before = TestFunctionApps.Create(app.Storage.ConnectionString, app.Storage.Prefix, new Dictionary<string, string>
        {
            ["Pipeline:DeliveryBuckets"] = "16",
            ["Pipeline:FanOutPageSize"] = "3",
        });
        var alertId = await FanOutAsync(before, world.CampaignId);

        // As an alert stored before layouts existed: its row loses the column (a Replace without it).
        var table = await app.Service<PipelineTables>().GetAsync(PipelineTables.Alerts);
        var alert = await RawAlertAsync(alertId);
        alert.Remove(AlertRepository.LayoutColumn);
        await table.UpdateEntityAsync(alert, alert.ETag, TableUpdateMode.Replace);
        (await RawAlertAsync(alertId)).ContainsKey(AlertRepository.LayoutColumn).Should().BeFalse();
        (await app.Service<Core.Ports.IAlertStore>().GetAsync(alertId))!.Layout.Should().Be(DeliveryLayout.Sixteen, "no column: 16 buckets");
        (await RawPartitionsAsync(alertId)).Should().OnlyContain(p => p.Suffix.Length == 1 && HashOf(p.RowKey).StartsWith(p.Suffix, StringComparison.Ordinal));

        // This app (the fixture's) never saw the alert: it reads the row without the column.
        await SendInBatchesAsync(alertId, spanPartitions: false);
        await AssertSentCallbacksAndReportAsync(world, alertId);

        // A page token issued before layouts (bucket 3, no table position) still reads on from the same place.
        var token = new DeliveryPageToken(alertId, 3, null).Encode();
        var page = await app.Deliveries.GetPageAsync(alertId, 100, token);
        page.Rows.Select(r => DeliveryBuckets.Of(r.Key)).Should().OnlyContain(b => b >= 3, "it starts at bucket 3");
        page.Rows.Should().HaveCount((await app.RowsAsync(alertId)).Count(r => DeliveryBuckets.Of(r.Key) >= 3));
    }

    /// <summary>
    /// The fixture's app sends every Pending row in dispatch batches (one first hex digit each, as fan-out makes them),
    /// each through the message JSON as a consumer reads it; in a wide layout some batch must span several partitions.
    /// </summary>
    private async Task SendInBatchesAsync(AlertId alertId, bool spanPartitions)
    {
        var pending = (await app.RowsAsync(alertId)).Where(r => r.Status == DeliveryStatus.Pending).Select(r => r.Key).ToList();
        var batches = DispatchBatch.Split(pending, 50);
        if (spanPartitions)
        {
            batches.Should().Contain(b => b.Recipients.Select(DeliveryLayout.TwoHundredFiftySix.Of).Distinct().Count() > 1, "a batch of one first digit spans several 256-bucket partitions");
        }

        var handler = app.Service<DispatchBatchHandler>();
        foreach (var batch in batches)
        {
            var json = JsonSerializer.Serialize(batch.ToMessage(), JsonSerializerOptions.Web);
            JsonSerializer.Deserialize<DispatchBatchMessage>(json, JsonSerializerOptions.Web)!.TryParse(out var parsed, out var error).Should().BeTrue(error);
            var result = await handler.HandleAsync(parsed!, 1, default);
            result.Settlement.Should().Be(DispatchSettlement.Complete.Instance, string.Join("; ", result.Rows.Select(r => $"{r.Outcome} {r.Detail}")));
        }
    }

    private async Task AssertSentCallbacksAndReportAsync(LayoutWorld world, AlertId alertId)
    {
        var rows = await app.RowsAsync(alertId);
        rows.Should().HaveCount(24).And.OnlyContain(r => r.Status == DeliveryStatus.Sent || r.Status == DeliveryStatus.Skipped);
        rows.Count(r => r.Status == DeliveryStatus.Sent).Should().Be(23, "c12 has no email");

        await app.CallbackAsync(SmsKey(alertId, world.Contacts[0]), "delivered");
        await app.CallbackAsync(SmsKey(alertId, world.Contacts[1]), "undelivered", "30003");
        (await app.Deliveries.GetAsync(SmsKey(alertId, world.Contacts[0])))!.Record.Status.Should().Be(DeliveryStatus.Delivered);

        var paged = new List<DeliveryKey>();
        string? token = null;
        do
        {
            var page = await app.Deliveries.GetPageAsync(alertId, 5, token);
            paged.AddRange(page.Rows.Select(r => r.Key));
            token = page.ContinuationToken;
        }
        while (token is not null);

        paged.Should().OnlyHaveUniqueItems().And.HaveCount(24);

        using var response = await app.SendAsync(HttpMethod.Get, $"{world.Union.Base}/alerts/{alertId}/report", world.Union.OrganiserKey);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var json = await ReportsTestApp.ReadJsonAsync(response);
        json.GetProperty("rows").GetInt32().Should().Be(24);
        var sms = json.GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == "sms");
        sms.GetProperty("byStatus").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32())
            .Should().BeEquivalentTo(new Dictionary<string, int> { ["delivered"] = 1, ["undelivered"] = 1, ["sent"] = 10 });
    }

    /// <summary>One union, two branches, 12 contacts (c12 without email), a campaign it owns and subscribes to.</summary>
    private async Task<LayoutWorld> WorldAsync()
    {
        var union = await app.NewUnionAsync("north", "south");
        var campaignId = await app.NewCampaignAsync(owner: union.UnionId);
        await app.SubscribeAsync(campaignId, union.UnionId);
        var contacts = new List<Contact>();
        for (var i = 1; i <= 12; i++)
        {
            contacts.Add(await app.AddContactAsync(union.UnionId, i % 2 == 0 ? "north" : "south", $"c{i}", $"+4477009002{i:D2}", i == 12 ? null : $"c{i}@example.org"));
        }

        return new LayoutWorld(union, campaignId, contacts);
    }

    /// <summary>Fan-out by another app instance on the same tables: FanOut, then each chunk and its next pages.</summary>
    private static async Task<AlertId> FanOutAsync(TestAppServer other, CampaignId campaignId)
    {
        var accepted = await other.Services.GetRequiredService<FanOutHandler>().HandleAsync(ReportsTestApp.EventJson("layout-" + Guid.NewGuid().ToString("N")[..8], campaignId), null, default);
        accepted.Outcome.Should().Be(FanOutOutcome.Accepted, string.Join("; ", accepted.Errors));
        var chunks = other.Services.GetRequiredService<FanOutChunkHandler>();
        foreach (var first in accepted.Chunks)
        {
            for (FanOutChunk? chunk = first; chunk is not null;)
            {
                chunk = (await chunks.HandleAsync(chunk, default)).Next;
            }
        }

        return accepted.AlertId!;
    }

    private async Task<TableEntity> RawAlertAsync(AlertId alertId)
    {
        var table = await app.Service<PipelineTables>().GetAsync(PipelineTables.Alerts);
        return (await table.GetEntityAsync<TableEntity>(alertId.Value, AlertRepository.Row)).Value;
    }

    private async Task<List<(string Suffix, string RowKey)>> RawPartitionsAsync(AlertId alertId)
    {
        var table = await app.Service<PipelineTables>().GetAsync(PipelineTables.Deliveries);
        var list = new List<(string, string)>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {alertId.Value + "~"} and PartitionKey lt {alertId.Value + "~~"}"), select: ["PartitionKey", "RowKey"]))
        {
            list.Add((e.PartitionKey[(alertId.Value.Length + 1)..], e.RowKey));
        }

        return list;
    }

    private static string HashOf(string rowKey) => rowKey.Split('~')[1];

    private DeliveryKey SmsKey(AlertId alertId, Contact contact) => new(alertId, Channel.Sms, app.Hasher.HashFor(contact, Channel.Sms)!);

    private sealed record LayoutWorld(ReportsUnion Union, CampaignId CampaignId, IReadOnlyList<Contact> Contacts);
}

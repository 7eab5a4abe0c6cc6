using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Testing;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace AlertPipeline.IntegrationTests.Reports;

/// <summary>
/// Deliveries rows keep a number or email only while they may still be sent (docs/storage.md): read back raw from the
/// table after real fan-out, sends, skips and callbacks; and the one-off scrub of rows written before that rule.
/// </summary>
public sealed class DeliveryAddressTests(ReportsTestApp app) : IClassFixture<ReportsTestApp>
{
    [Fact]
    public async Task Rows_AfterSendsSkipsFailuresAndCallbacks_HoldNoPhoneNumberOrEmail()
    {
        var union = await app.NewUnionAsync("central");
        var campaignId = await app.NewCampaignAsync(owner: union.UnionId);
        await app.SubscribeAsync(campaignId, union.UnionId);
        var delivered = await app.AddContactAsync(union.UnionId, "central", "d1", "+447700900031", "d1@example.org");
        var undelivered = await app.AddContactAsync(union.UnionId, "central", "d2", "+447700900032", "d2@example.org");
        var failed = await app.AddContactAsync(union.UnionId, "central", "d3", "+447700900033", null);
        await app.AddContactAsync(union.UnionId, "central", "d4", "+447700900034", "d4@example.org", smsConsent: false);
        var optedOut = await app.AddContactAsync(union.UnionId, "central", "d5", "+447700900035", "d5@example.org");
        await app.AddContactAsync(union.UnionId, "central", "d6", null, "d6@example.org");
        await app.AddContactAsync(union.UnionId, "central", "d7", "+447700900037", null, invalidPhone: PhoneNumberError.TooShort);
        var alertId = await app.FanOutAsync(ReportsTestApp.EventJson("addr-" + Guid.NewGuid().ToString("N")[..8], campaignId));
        (await app.RowsAsync(alertId)).Where(r => r.Status == DeliveryStatus.Pending).Should().OnlyContain(r => r.Address != null, "a Pending row is still to be sent");
        await app.OptOutAsync(optedOut, Channel.Email); // after fan-out: the sender skips it

        await app.SendAllAsync(alertId);
        await app.CallbackAsync(SmsKey(alertId, delivered), "delivered");
        await app.CallbackAsync(SmsKey(alertId, undelivered), "undelivered", "30003");
        await app.CallbackAsync(SmsKey(alertId, failed), "failed", "30006");

        var entities = await RawRowsAsync(alertId);
        entities.Select(e => e.GetString("Status")).Distinct().Should().BeEquivalentTo("Sent", "Delivered", "Undelivered", "Failed", "Skipped");
        entities.Should().HaveCount(14);
        foreach (var entity in entities)
        {
            entity.GetString("Address").Should().BeNull($"row {entity.RowKey} is {entity.GetString("Status")}");
            entity.Select(p => p.Value).OfType<string>().Should().NotContain(v => v.Contains("7700900", StringComparison.Ordinal) || v.Contains('@', StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Scrub_RowsPastSendingThatStillHoldAnAddress_LoseItOnlyIt_AndAgainFindsNothing()
    {
        var (alertId, rows) = await LegacyRowsAsync();
        var scrub = app.Service<DeliveryAddressScrub>();

        var first = await scrub.ScrubAsync();
        var second = await scrub.ScrubAsync();

        first.Should().BeGreaterThanOrEqualTo(5, "the five rows past Sending (other tests' rows hold none)");
        second.Should().Be(0, "a scrubbed row no longer matches: the scrub is idempotent");
        var stored = (await app.RowsAsync(alertId)).ToDictionary(r => r.Key);
        foreach (var row in rows)
        {
            stored[row.Key].Should().BeEquivalentTo(row.WithoutSpentAddress(), $"{row.Status}: only the address goes, and only past Sending");
        }

        stored.Values.Where(r => r.Address != null).Select(r => r.Status).Should().BeEquivalentTo([DeliveryStatus.Pending, DeliveryStatus.Sending]);
    }

    [Fact]
    public async Task ScrubOnStart_SettingOn_TheAppScrubsTheRowsWhenItStarts()
    {
        var (alertId, _) = await LegacyRowsAsync();
        var (connectionString, prefix) = app.Storage;

        await using var restarted = TestFunctionApps.Create(connectionString, prefix, new Dictionary<string, string> { ["Pipeline:Storage:ScrubDeliveryAddressesOnStart"] = "true" });
        _ = restarted.Services.GetRequiredService<DeliveryAddressScrub>(); // starts the host and its background services

        await Poll.UntilAsync(
            async () => (await app.RowsAsync(alertId)).Count(r => r.Address != null) == 2,
            "the start-up scrub to leave addresses on the Pending and Sending rows only");
    }

    /// <summary>One row per status, each holding an address, as rows were written before they dropped it.</summary>
    private async Task<(AlertId AlertId, List<DeliveryRecord> Rows)> LegacyRowsAsync()
    {
        var alertId = AlertId.Parse(Guid.NewGuid().ToString("N"));
        var now = SystemClock.Instance.GetCurrentInstant();
        var rows = Enum.GetValues<DeliveryStatus>().Select((status, i) => new DeliveryRecord
        {
            Key = new DeliveryKey(alertId, Channel.Sms, RecipientHash.Parse(Guid.NewGuid().ToString("N"))),
            Status = status,
            Contact = new ContactRef(UnionId.Parse("legacy"), BranchId.Parse("central"), ContactId.Parse($"c{i}")),
            Address = $"+4477009001{i:D2}",
            ProviderId = status is DeliveryStatus.Pending ? null : $"SM{i}",
            BodyHash = new string('a', 64),
            Attempt = status is DeliveryStatus.Pending ? 0 : 1,
            CreatedAt = now,
            UpdatedAt = now,
        }).ToList();
        (await app.Deliveries.AddNewAsync(alertId, rows)).Should().OnlyContain(o => o.Added);
        return (alertId, rows);
    }

    private async Task<List<TableEntity>> RawRowsAsync(AlertId alertId)
    {
        var table = await app.Service<PipelineTables>().GetAsync(PipelineTables.Deliveries);
        var entities = new List<TableEntity>();
        for (var bucket = 0; bucket < DeliveryPartitions.BucketCount; bucket++)
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryPartitions.PartitionKey(alertId, bucket)}")))
            {
                entities.Add(entity);
            }
        }

        return entities;
    }

    private DeliveryKey SmsKey(AlertId alertId, Contact contact) => new(alertId, Channel.Sms, app.Hasher.HashFor(contact, Channel.Sms)!);
}

using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Persistence;
using Azure.Data.Tables;
using NodaTime;

namespace AlertPipeline.IntegrationTests.Persistence;

public sealed class OptOutAndAlertRepositoryTests : PersistenceTestBase
{
    private static readonly Instant Now = Instant.FromUtc(2025, 12, 9, 6, 1);

    [Fact]
    public async Task OptOut_RoundTrip_FirstOptOutStandsAndStartLiftsIt()
    {
        var repository = new OptOutRepository(Tables, Options);
        var stopped = Hasher.Hash(PhoneNumber.Parse("+447700900123"));
        var other = Hasher.Hash(PhoneNumber.Parse("+447700900124"));

        await repository.OptOutAsync(stopped, Channel.Sms, OptOutSource.Keyword, Now);
        await repository.OptOutAsync(stopped, Channel.Sms, OptOutSource.Twilio21610, Now.Plus(Duration.FromDays(1)));

        (await repository.IsOptedOutAsync(stopped, Channel.Sms)).Should().BeTrue();
        (await repository.IsOptedOutAsync(stopped, Channel.Email)).Should().BeFalse("opt-outs are per channel");
        (await repository.FindOptedOutAsync([stopped, other, stopped], Channel.Sms)).Should().BeEquivalentTo([stopped]);
        var row = (await (await Tables.GetAsync(PipelineTables.OptOuts)).GetEntityAsync<Azure.Data.Tables.TableEntity>(stopped.Value, "sms")).Value;
        row.GetString("Source").Should().Be("Keyword");
        row.GetDateTimeOffset("OptedOutAt").Should().Be(Now.ToDateTimeOffset());

        await repository.OptInAsync(stopped, Channel.Sms);
        await repository.OptInAsync(stopped, Channel.Sms);

        (await repository.IsOptedOutAsync(stopped, Channel.Sms)).Should().BeFalse();
    }

    [Fact]
    public async Task Alert_StoredOnceAndReadBack_EvenWhenLargerThanOneProperty()
    {
        var repository = new AlertRepository(Tables);
        var variables = string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"v{i}\": \"{new string('x', 1000)}\""));
        var json = $$$"""
            {"schemaVersion":1,"eventId":"zhanaozen-massacre","kind":"anniversary","occurredAt":"2025-12-09T06:00:00Z",
             "campaignId":"zhanaozen","occurrence":{"localDateTime":"2025-12-16T11:00:00","timeZone":"Asia/Aqtau"},
             "reminder":"week-before","channels":["sms"],"variables":{ {{{variables}}} },
             "templates":{"ru":{"sms":"{{name}}, помним Жанаозен."} } }
            """;
        var alertEvent = AlertEventParser.Parse(json).Value;
        var record = new AlertRecord(AlertId.For(alertEvent), alertEvent, Now, false);

        (await repository.AddAsync(record)).Should().BeTrue();
        (await repository.AddAsync(record with { ExpiredOnArrival = true })).Should().BeFalse();

        (await repository.GetAsync(record.AlertId)).Should().Be(record);
        (await repository.GetAsync(AlertId.Parse("00000000000000000000000000000000"))).Should().BeNull();
    }

    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(256)]
    public async Task Alert_Layout_IsWrittenWithTheRowAndReadBack(int buckets)
    {
        var repository = new AlertRepository(Tables);
        var record = SmallAlert($"layout-{buckets}") with { Layout = DeliveryLayout.FromBuckets(buckets) };

        (await repository.AddAsync(record)).Should().BeTrue();

        var row = (await (await Tables.GetAsync(PipelineTables.Alerts)).GetEntityAsync<TableEntity>(record.AlertId.Value, AlertRepository.Row)).Value;
        row.GetInt32(AlertRepository.LayoutColumn).Should().Be(buckets);
        (await repository.GetAsync(record.AlertId))!.Layout.Should().Be(record.Layout);
        (await new DeliveryLayouts(Tables).GetAsync(record.AlertId)).Should().Be(record.Layout);
    }

    [Fact]
    public async Task Alert_StoredBeforeLayouts_HasSixteenBuckets_AndAnUnknownLayoutIsReportedCorrupt()
    {
        var repository = new AlertRepository(Tables);
        var old = SmallAlert("before-layouts");
        var odd = SmallAlert("odd-layout");
        await repository.AddAsync(old);
        await repository.AddAsync(odd);
        var table = await Tables.GetAsync(PipelineTables.Alerts);
        var oldRow = (await table.GetEntityAsync<TableEntity>(old.AlertId.Value, AlertRepository.Row)).Value;
        oldRow.Remove(AlertRepository.LayoutColumn);
        await table.UpdateEntityAsync(oldRow, oldRow.ETag, TableUpdateMode.Replace);
        await table.UpdateEntityAsync(new TableEntity(odd.AlertId.Value, AlertRepository.Row) { [AlertRepository.LayoutColumn] = 32 }, Azure.ETag.All, TableUpdateMode.Merge);
        var layouts = new DeliveryLayouts(Tables);

        (await repository.GetAsync(old.AlertId))!.Layout.Should().Be(DeliveryLayout.Sixteen);
        (await layouts.GetAsync(old.AlertId)).Should().Be(DeliveryLayout.Sixteen);
        (await layouts.GetAsync(AlertId.Parse(new string('9', 32)))).Should().Be(DeliveryLayout.Sixteen, "no alert row: no delivery of it can exist in another layout");
        await FluentActions.Awaiting(() => repository.GetAsync(odd.AlertId)).Should().ThrowAsync<InvalidDataException>().WithMessage("*'DeliveryBuckets'*");
        await FluentActions.Awaiting(async () => await layouts.GetAsync(odd.AlertId)).Should().ThrowAsync<InvalidDataException>();
    }

    private static AlertRecord SmallAlert(string eventId)
    {
        var json = $$$"""
            {"schemaVersion":1,"eventId":"{{{eventId}}}-{{{Guid.NewGuid():N}}}","kind":"anniversary","occurredAt":"2025-12-09T06:00:00Z",
             "campaignId":"zhanaozen","occurrence":{"localDateTime":"2025-12-16T11:00:00","timeZone":"Asia/Aqtau"},
             "reminder":"week-before","channels":["sms"],"templates":{"ru":{"sms":"{{name}}, помним Жанаозен."} } }
            """;
        var alertEvent = AlertEventParser.Parse(json).Value;
        return new AlertRecord(AlertId.For(alertEvent), alertEvent, Now, false);
    }

    [Fact]
    public async Task RejectedEvent_RecordedTwice_IsOneRowWithItsReasons()
    {
        var repository = new RejectedEventRepository(Tables);
        var rejected = new RejectedEvent(new string('e', 64), 12, ValueList.From([new ValidationError("$.channels[1]", "unknown channel 'fax'")]), Now, "msg-1");

        await repository.RecordAsync(rejected);
        await repository.RecordAsync(rejected);

        (await repository.ListAsync(new LocalDate(2025, 12, 9))).Should().Equal([(new string('e', 64), "$.channels[1]: unknown channel 'fax'", (string?)"msg-1")]);
    }

    [Fact]
    public async Task FindOptedOut_ManyRecipientsPerBucket_RangeQueriesFindExactlyTheOptedOutOfThatChannel()
    {
        var repository = new OptOutRepository(Tables, Options);
        var recipients = Enumerable.Range(0, 200).Select(i => Hasher.Hash(PhoneNumber.Parse($"+447700902{i:D3}"))).ToList();
        var stopped = recipients.Where((_, i) => i % 7 == 0).ToList();
        foreach (var recipient in stopped)
        {
            await repository.OptOutAsync(recipient, Channel.Sms, OptOutSource.Keyword, Now);
        }

        await repository.OptOutAsync(recipients[1], Channel.Email, OptOutSource.Unsubscribe, Now);
        var outsider = Hasher.Hash(PhoneNumber.Parse("+447700903999"));
        await repository.OptOutAsync(outsider, Channel.Sms, OptOutSource.Keyword, Now);

        var found = await repository.FindOptedOutAsync(recipients, Channel.Sms);

        recipients.GroupBy(DeliveryBuckets.Of).Should().Contain(g => g.Count() >= OptOutRepository.RangeQueryThreshold, "the range path must run");
        found.Should().BeEquivalentTo(stopped, "only those asked about, only SMS opt-outs");
    }

    [Fact]
    public async Task GetOptedOut_AfterOptOutsAndAnOptIn_IsExactlyTheChannelsOptedOutNow_AndAgreesWithFindOptedOut()
    {
        var repository = new OptOutRepository(Tables, Options);
        var recipients = Enumerable.Range(0, 120).Select(i => Hasher.Hash(PhoneNumber.Parse($"+447700904{i:D3}"))).ToList();
        foreach (var recipient in recipients.Where((_, i) => i % 5 == 0))
        {
            await repository.OptOutAsync(recipient, Channel.Sms, OptOutSource.Keyword, Now);
        }

        await repository.OptOutAsync(recipients[1], Channel.Email, OptOutSource.Unsubscribe, Now);
        await repository.OptInAsync(recipients[10], Channel.Sms);

        var sms = await repository.GetOptedOutAsync(Channel.Sms);
        var email = await repository.GetOptedOutAsync(Channel.Email);

        sms.Should().BeEquivalentTo(recipients.Where((_, i) => i % 5 == 0 && i != 10), "every SMS opt-out but the lifted one");
        email.Should().BeEquivalentTo([recipients[1]]);
        sms.Should().BeEquivalentTo(await repository.FindOptedOutAsync(recipients, Channel.Sms), "the snapshot and the per-page lookup agree");
    }

    [Fact]
    public async Task RecipientIndex_RecordForABatch_RemembersTheCampaignForEach()
    {
        var repository = new RecipientIndexRepository(Tables, Options);
        var recipients = Enumerable.Range(0, 20).Select(i => Hasher.Hash(PhoneNumber.Parse($"+4477009001{i:D2}"))).ToList();
        await repository.RecordLastCampaignAsync(recipients[0], CampaignId.Parse("first"), Now);

        await repository.RecordLastCampaignAsync(recipients, CampaignId.Parse("second"), Now);

        foreach (var recipient in recipients)
        {
            (await repository.GetLastCampaignAsync(recipient)).Should().Be(CampaignId.Parse("second"));
        }
    }

    [Fact]
    public async Task RecipientIndex_RecordForABatchOfOneBucket_WritesOnePartition()
    {
        var repository = new RecipientIndexRepository(Tables, Options);
        var recipients = Enumerable.Range(0, 2000).Select(i => Hasher.Hash(PhoneNumber.Parse($"+447700{i:D6}")))
            .GroupBy(DeliveryBuckets.Of).MaxBy(g => g.Count())!.Take(50).ToList();

        await repository.RecordLastCampaignAsync(recipients, CampaignId.Parse("second"), Now);

        var table = await Tables.GetAsync(PipelineTables.RecipientIndex);
        var stored = await table.QueryAsync<TableEntity>().ToListAsync();
        stored.Select(e => e.PartitionKey).Distinct().Should().ContainSingle("a batch of one bucket lands in one partition, so one transaction")
            .Which.Should().Be(RecipientIndexRepository.PartitionKey(recipients[0]));
        stored.Select(e => e.RowKey).Should().BeEquivalentTo(recipients.Select(r => r.Value));
    }

    [Fact]
    public async Task RecipientIndex_RowOfTheEarlierLayout_IsStillReadUntilTheNextSmsReplacesIt()
    {
        var repository = new RecipientIndexRepository(Tables, Options);
        var recipient = Hasher.Hash(PhoneNumber.Parse("+447700900124"));
        var table = await Tables.GetAsync(PipelineTables.RecipientIndex);
        // As written before the index was keyed by bucket: PK recipientHash, RK "sms".
        await table.AddEntityAsync(new TableEntity(recipient.Value, "sms") { ["LastCampaignId"] = "old-campaign", ["UpdatedAt"] = Now.ToDateTimeOffset() });

        (await repository.GetLastCampaignAsync(recipient)).Should().Be(CampaignId.Parse("old-campaign"));
        await repository.RecordLastCampaignAsync([recipient], CampaignId.Parse("new-campaign"), Now);

        (await repository.GetLastCampaignAsync(recipient)).Should().Be(CampaignId.Parse("new-campaign"), "the row the last SMS wrote wins");
    }

    [Fact]
    public async Task RecipientIndex_RemembersTheLastCampaign()
    {
        var repository = new RecipientIndexRepository(Tables, Options);
        var recipient = Hasher.Hash(PhoneNumber.Parse("+447700900123"));

        (await repository.GetLastCampaignAsync(recipient)).Should().BeNull();
        await repository.RecordLastCampaignAsync(recipient, CampaignId.Parse("first"), Now);
        await repository.RecordLastCampaignAsync(recipient, CampaignId.Parse("second"), Now);

        (await repository.GetLastCampaignAsync(recipient)).Should().Be(CampaignId.Parse("second"));
    }
}

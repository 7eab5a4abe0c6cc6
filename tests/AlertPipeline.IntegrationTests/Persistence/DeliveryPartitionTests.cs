using System.Text;
using System.Text.RegularExpressions;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Infrastructure.Persistence;
using Azure.Data.Tables;
using Azure.Core;
using NodaTime;

namespace AlertPipeline.IntegrationTests.Persistence;

/// <summary>Deliveries spread over <see cref="DeliveryPartitions.BucketCount"/> partitions per alert, on Azurite.</summary>
public sealed partial class DeliveryPartitionTests : PersistenceTestBase
{
    private static readonly AlertId Alert = AlertId.Parse("0b5f4c1de0a84a6f9f1c2d3e4f5a6b7c");
    private static readonly AlertId OtherAlert = AlertId.Parse("0b5f4c1de0a84a6f9f1c2d3e4f5a6b7d");
    private static readonly Instant Now = Instant.FromUtc(2025, 12, 9, 6, 1);

    private DeliveryRepository Repository => new(Tables, Options);

    private static DeliveryRecord Row(int i, AlertId? alert = null) => new()
    {
        Key = new DeliveryKey(alert ?? Alert, Channel.Sms, Hasher.Hash(PhoneNumber.Parse($"+4477009{i:D5}"))),
        Status = DeliveryStatus.Pending,
        Contact = new ContactRef(UnionId.Parse("kz-oil"), BranchId.Parse("aqtau"), ContactId.Parse($"c{i}")),
        Address = $"+4477009{i:D5}",
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    [Fact]
    public async Task AddNew_OneAlertsRows_LandInEveryBucketPartitionOfTheirRecipient()
    {
        var rows = Enumerable.Range(0, 200).Select(i => Row(i)).ToList();

        await Repository.AddNewAsync(Alert, rows);

        var stored = await RawRowsAsync();
        stored.Should().HaveCount(200);
        stored.Select(e => e.PartitionKey).Distinct().Should().HaveCount(DeliveryPartitions.BucketCount, "200 recipients reach all 16 buckets");
        foreach (var row in rows)
        {
            stored.Should().ContainSingle(e => e.RowKey == DeliveryRepository.RowKey(row.Key))
                .Which.PartitionKey.Should().Be($"{Alert.Value}~{row.Key.Recipient.Value[0]}");
        }
    }

    [Fact]
    public async Task AddNew_Transactions_NeverMixPartitionsAndHoldAtMost100Rows()
    {
        // 150 recipients in bucket a (two transactions there) and 60 others spread over the rest.
        var all = Enumerable.Range(0, 4000).Select(i => Row(i)).ToList();
        var rows = all.Where(r => DeliveryPartitions.Bucket(r.Key.Recipient) == 10).Take(150)
            .Concat(all.Where(r => DeliveryPartitions.Bucket(r.Key.Recipient) != 10).Take(60))
            .ToList();
        var recorder = new RequestRecorder();
        var options = new TableClientOptions();
        options.AddPolicy(recorder, HttpPipelinePosition.PerCall);
        var recorded = new DeliveryRepository(new PipelineTables(new TableServiceClient(Azurite.ConnectionString, options), Tables.Prefix), Options);

        var outcomes = await recorded.AddNewAsync(Alert, rows);

        outcomes.Should().OnlyContain(o => o.Added);
        outcomes.Select(o => o.Key).Should().Equal(rows.Select(r => r.Key), "one outcome per row, in order");
        var batches = recorder.All.Where(r => r.Uri.AbsolutePath.EndsWith("/$batch", StringComparison.Ordinal)).ToList();
        var partitionsPerBatch = batches.Select(b => PartitionKeyProperty().Matches(Encoding.UTF8.GetString(b.Body!)).Select(m => m.Groups[1].Value).ToList()).ToList();
        partitionsPerBatch.Should().OnlyContain(keys => keys.Distinct().Count() == 1 && keys.Count <= DeliveryRepository.MaxBatch);
        partitionsPerBatch.Sum(keys => keys.Count).Should().Be(210);
        var expected = rows.GroupBy(r => DeliveryPartitions.Bucket(r.Key.Recipient)).Sum(g => (g.Count() + 99) / 100);
        batches.Should().HaveCount(expected, "one transaction per bucket, two for the 150 rows of bucket a");
    }

    [Fact]
    public async Task AddNew_ExistingRowsInSeveralBuckets_ReportTheirStoredStatusAndAddTheRest()
    {
        var rows = Enumerable.Range(0, 120).Select(i => Row(i)).ToList();
        var existing = rows.Where((_, i) => i % 10 == 0).ToList();
        await Repository.AddNewAsync(Alert, existing);
        existing.Select(r => DeliveryPartitions.Bucket(r.Key.Recipient)).Distinct().Should().HaveCountGreaterThan(3, "the existing rows are in several buckets");
        var first = (await Repository.GetAsync(existing[0].Key))!;
        await Repository.TryUpdateAsync(first.Record with { Status = DeliveryStatus.Sent, ProviderId = "SM1", Address = null }, first.ETag);

        var outcomes = await Repository.AddNewAsync(Alert, rows);

        outcomes.Select(o => o.Key).Should().Equal(rows.Select(r => r.Key));
        outcomes.Where(o => !o.Added).Select(o => o.Key).Should().BeEquivalentTo(existing.Select(r => r.Key));
        outcomes.Single(o => o.Key == existing[0].Key).Status.Should().Be(DeliveryStatus.Sent, "the stored status, not the planned one");
        (await Repository.GetAsync(existing[0].Key))!.Record.ProviderId.Should().Be("SM1", "an existing row is left as it is");
        (await RawRowsAsync()).Should().HaveCount(120);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(1000)]
    public async Task GetPage_SmallAndLargePages_ReturnEveryRowOfTheAlertExactlyOnce(int pageSize)
    {
        var rows = Enumerable.Range(0, 45).Select(i => Row(i)).ToList();
        await Repository.AddNewAsync(Alert, rows);
        await Repository.AddNewAsync(OtherAlert, [.. Enumerable.Range(0, 20).Select(i => Row(i, OtherAlert))]);

        var seen = new List<DeliveryKey>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Repository.GetPageAsync(Alert, pageSize, token);
            page.Rows.Count.Should().BeLessThanOrEqualTo(pageSize);
            seen.AddRange(page.Rows.Select(r => r.Key));
            token = page.ContinuationToken;
            pages++;
            pages.Should().BeLessThan(200, "paging ends");
        }
        while (token is not null);

        seen.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(rows.Select(r => r.Key));
        if (pageSize >= 45)
        {
            pages.Should().Be(1, "a page spans buckets until it is full");
        }
    }

    [Fact]
    public async Task GetPage_ForgedTokens_AreRefusedNamingTheToken()
    {
        await Repository.AddNewAsync(Alert, [.. Enumerable.Range(0, 10).Select(i => Row(i))]);
        var otherAlertsToken = (await Repository.GetPageAsync(OtherAlert, 1, null)).ContinuationToken
            ?? new DeliveryPageToken(OtherAlert, 3, null).Encode();

        await FluentActions.Awaiting(() => Repository.GetPageAsync(Alert, 2, "forged-token"))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("continuationToken");
        await FluentActions.Awaiting(() => Repository.GetPageAsync(Alert, 2, otherAlertsToken))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("continuationToken").WithMessage("*another alert*");
        await FluentActions.Awaiting(() => Repository.GetPageAsync(Alert, 2, new DeliveryPageToken(Alert, 4, "no-table-position").Encode()))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("continuationToken").WithMessage("*no valid table position*");
    }

    [Fact]
    public async Task GetPage_RowInTheWrongBucket_IsReportedCorrupt()
    {
        var row = Row(1);
        var wrongBucket = (DeliveryPartitions.Bucket(row.Key.Recipient) + 1) % DeliveryPartitions.BucketCount;
        var table = await Tables.GetAsync(PipelineTables.Deliveries);
        var entity = DeliveryMapping.Write(row, DeliveryLayout.Sixteen);
        await table.AddEntityAsync(new TableEntity(DeliveryPartitions.PartitionKey(Alert, wrongBucket), entity.RowKey)
        {
            ["Status"] = "Pending",
            ["CreatedAt"] = DateTimeOffset.UtcNow,
        });

        await FluentActions.Awaiting(() => Repository.GetPageAsync(Alert, 100, null))
            .Should().ThrowAsync<InvalidDataException>().WithMessage("*'PartitionKey'*bucket*");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(256)]
    public async Task WideLayoutAlert_RowsLandInTheirBuckets_AndReadsUpdatesAndPagesFindThem(int buckets)
    {
        var layout = DeliveryLayout.FromBuckets(buckets);
        var alerts = await Tables.GetAsync(PipelineTables.Alerts);
        await alerts.AddEntityAsync(new TableEntity(Alert.Value, AlertRepository.Row) { [AlertRepository.LayoutColumn] = buckets });
        var layouts = new DeliveryLayouts(Tables);
        var repository = new DeliveryRepository(Tables, Options, layouts);
        var rows = Enumerable.Range(0, 300).Select(i => Row(i)).ToList();

        (await repository.AddNewAsync(Alert, rows)).Should().OnlyContain(o => o.Added);
        (await repository.AddNewAsync(Alert, rows.Take(5).ToList())).Should().OnlyContain(o => !o.Added, "the existing rows are found in their partitions");

        var stored = await RawRowsAsync();
        stored.Should().HaveCount(300);
        foreach (var row in rows)
        {
            stored.Single(e => e.RowKey == DeliveryRepository.RowKey(row.Key)).PartitionKey.Should().Be($"{Alert.Value}~{layout.Suffix(layout.Of(row.Key))}");
        }

        (await repository.GetAsync(rows[7].Key))!.Record.Key.Should().Be(rows[7].Key);
        (await repository.GetManyAsync([.. rows.Take(40).Select(r => r.Key)])).Should().OnlyContain(s => s != null);

        var partition = rows.GroupBy(r => layout.Of(r.Key)).MaxBy(g => g.Count())!.ToList();
        var read = await repository.GetManyAsync([.. partition.Select(r => r.Key)]);
        var claimed = await repository.TryUpdateAllAsync([.. read.Select(s => (s!.Record with { Status = DeliveryStatus.Sending, Attempt = 1 }, s.ETag))]);
        claimed.Should().NotBeNull().And.HaveCount(partition.Count, "one transaction per partition of the alert's layout");
        var single = (await repository.GetAsync(partition[0].Key))!;
        single.Record.Status.Should().Be(DeliveryStatus.Sending);
        (await repository.TryUpdateAsync(single.Record with { Status = DeliveryStatus.Sent, Address = null }, single.ETag)).Should().NotBeNull();

        var sameDigitOtherBucket = rows.First(r => DeliveryBuckets.Of(r.Key) == DeliveryBuckets.Of(partition[0].Key) && layout.Of(r.Key) != layout.Of(partition[0].Key));
        var pair = await repository.GetManyAsync([partition[1].Key, sameDigitOtherBucket.Key]);
        await FluentActions.Awaiting(() => repository.TryUpdateAllAsync([.. pair.Select(s => (s!.Record, s.ETag))]))
            .Should().ThrowAsync<ArgumentException>("two partitions of the wide layout share a first digit, never a transaction");

        var paged = new List<DeliveryKey>();
        string? token = null;
        do
        {
            var page = await repository.GetPageAsync(Alert, 7, token);
            paged.AddRange(page.Rows.Select(r => r.Key));
            token = page.ContinuationToken;
        }
        while (token is not null);

        paged.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(rows.Select(r => r.Key));
        layouts.Reads.Should().Be(1, "an alert's layout is read once, then kept");
    }

    private async Task<List<TableEntity>> RawRowsAsync()
    {
        var table = await Tables.GetAsync(PipelineTables.Deliveries);
        var list = new List<TableEntity>();
        await foreach (var e in table.QueryAsync<TableEntity>())
        {
            list.Add(e);
        }

        return list;
    }

    [GeneratedRegex("\"PartitionKey\"\\s*:\\s*\"([^\"]+)\"")]
    private static partial Regex PartitionKeyProperty();
}

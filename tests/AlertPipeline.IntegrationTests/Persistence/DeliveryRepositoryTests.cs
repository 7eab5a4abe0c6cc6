using System.Globalization;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Infrastructure.Persistence;
using NodaTime;

namespace AlertPipeline.IntegrationTests.Persistence;

public sealed class DeliveryRepositoryTests : PersistenceTestBase
{
    private static readonly AlertId Alert = AlertId.Parse("75774197e5449172989a88db2b6df47f");
    private static readonly Instant Now = Instant.FromUtc(2025, 12, 9, 6, 1);

    private DeliveryRepository Repository => new(Tables, Options);

    private static DeliveryRecord Row(int i, DeliveryStatus status = DeliveryStatus.Pending) => new()
    {
        Key = new DeliveryKey(Alert, Channel.Sms, Hasher.Hash(PhoneNumber.Parse($"+4477009{i:D5}"))),
        Status = status,
        Contact = new ContactRef(UnionId.Parse("kz-oil"), BranchId.Parse("aqtau"), ContactId.Parse($"c{i}")),
        Address = status == DeliveryStatus.Pending ? $"+4477009{i:D5}" : null,
        SkipReason = status == DeliveryStatus.Skipped ? SkipReason.NoConsent : null,
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    [Fact]
    public async Task AddNew_MixedNewAndExisting_AddsOnlyTheNewAndLeavesExistingRowsAsTheyAre()
    {
        var rows = Enumerable.Range(0, 150).Select(i => Row(i)).ToList();
        await Repository.AddNewAsync(Alert, [rows[3], rows[120]]);
        var sent = await Repository.GetAsync(rows[120].Key);
        await Repository.TryUpdateAsync(sent!.Record with { Status = DeliveryStatus.Sent, ProviderId = "SM1", Address = null }, sent.ETag);

        var outcomes = await Repository.AddNewAsync(Alert, rows);

        outcomes.Select(o => o.Key).Should().Equal(rows.Select(r => r.Key), "one outcome per row, in order");
        outcomes.Where(o => !o.Added).Select(o => o.Key).Should().BeEquivalentTo([rows[3].Key, rows[120].Key]);
        outcomes.Single(o => o.Key == rows[120].Key).Status.Should().Be(DeliveryStatus.Sent, "the stored status is reported, not the planned one");
        (await Repository.GetAsync(rows[120].Key))!.Record.ProviderId.Should().Be("SM1");
        (await AllRowsAsync()).Should().HaveCount(150);

        var again = await Repository.AddNewAsync(Alert, rows);

        again.Should().OnlyContain(o => !o.Added, "a re-run chunk writes nothing new");
    }

    [Fact]
    public async Task TryUpdate_RepeatedWithTheOldETagAfterItApplied_ReturnsTheStoredWrite_ButNotAnotherWritersChange()
    {
        var row = Row(7);
        await Repository.AddNewAsync(Alert, [row]);
        var read = await Repository.GetAsync(row.Key);
        var claimedAt = Now + Duration.FromTicks(1_234_567); // a time to the tick, as the clock stamps it
        var mark = read!.Record with { Status = DeliveryStatus.Sending, Attempt = 1, ClaimedAt = claimedAt, HandedOverAt = claimedAt, UpdatedAt = claimedAt };
        var applied = await Repository.TryUpdateAsync(mark, read.ETag);

        // The storage client's retry of a request the table applied (its answer lost) meets the write's own ETag.
        var retried = await Repository.TryUpdateAsync(mark, read.ETag);

        retried.Should().NotBeNull("the stored row is this write, not someone else's change");
        retried!.ETag.Should().Be(applied!.ETag);
        retried.Record.Should().Be(mark);

        var other = mark with { HandedOverAt = null, Released = true, UpdatedAt = claimedAt + Duration.FromTicks(1) };
        (await Repository.TryUpdateAsync(other, read.ETag)).Should().BeNull("a different write with a stale ETag is a lost race");
        (await Repository.GetAsync(row.Key))!.Record.Should().Be(mark, "nothing was written by the refused update");
    }

    [Fact]
    public async Task GetMany_GivesEachRowWithItsETagInOrder_AndNullForMissing()
    {
        var rows = Enumerable.Range(0, 30).Select(i => Row(i)).ToList();
        await Repository.AddNewAsync(Alert, rows[..20]);

        var read = await Repository.GetManyAsync([.. rows.Select(r => r.Key)]);

        read.Take(20).Select(r => r!.Record).Should().Equal(rows[..20]);
        read.Skip(20).Should().OnlyContain(r => r == null);
        (await Repository.TryUpdateAsync(rows[0] with { Attempt = 1 }, read[0]!.ETag)).Should().NotBeNull("the ETag read is current");
    }

    [Fact]
    public async Task GetMany_ABatchOfOneBucketLargerThanOneQuery_ReadsEveryRowInOrderWithCurrentETags()
    {
        var bucket = Enumerable.Range(0, 1200).Select(i => Row(i)).GroupBy(r => DeliveryBuckets.Of(r.Key)).MaxBy(g => g.Count())!.Take(50).ToList();
        bucket.Should().HaveCount(50, "more rows than one query names (DeliveryRepository.MaxKeysPerQuery)");
        var others = Enumerable.Range(2000, 40).Select(i => Row(i)).Where(r => DeliveryBuckets.Of(r.Key) == DeliveryBuckets.Of(bucket[0].Key)).ToList();
        await Repository.AddNewAsync(Alert, [.. bucket.Where((_, i) => i % 10 != 9), .. others]);
        var keys = bucket.Select(r => r.Key).Append(bucket[0].Key).ToList();

        var read = await Repository.GetManyAsync(keys);

        read.Should().HaveCount(51, "one answer per key, a repeated key included");
        for (var i = 0; i < 50; i++)
        {
            if (i % 10 == 9)
            {
                read[i].Should().BeNull("row {0} was never written", i);
            }
            else
            {
                read[i]!.Record.Should().Be(bucket[i]);
            }
        }

        read[50].Should().Be(read[0]);
        var claimed = await Repository.TryUpdateAllAsync([.. read.Take(14).Where(r => r is not null).Select(r => (r!.Record with { Attempt = 1 }, r.ETag))]);
        claimed.Should().NotBeNull("the ETags the queries returned are current");
    }

    [Fact]
    public async Task TryUpdateAll_OnePartition_ReplacesAllWithUsableETags_OrNothingWhenOneChanged()
    {
        var bucket = Enumerable.Range(0, 400).Select(i => Row(i)).GroupBy(r => DeliveryBuckets.Of(r.Key)).MaxBy(g => g.Count())!.Take(10).ToList();
        await Repository.AddNewAsync(Alert, bucket);
        var read = (await Repository.GetManyAsync([.. bucket.Select(r => r.Key)])).Select(r => r!).ToList();

        var claimed = await Repository.TryUpdateAllAsync([.. read.Select(r => (r.Record with { Status = DeliveryStatus.Sending, Attempt = 1 }, r.ETag))]);

        claimed.Should().NotBeNull();
        (await Repository.GetManyAsync([.. bucket.Select(r => r.Key)])).Should().Equal(claimed!, "every row stored with the ETag the transaction reported");
        var changed = await Repository.TryUpdateAsync(claimed![3].Record with { Status = DeliveryStatus.Sent, ProviderId = "SM1" }, claimed[3].ETag);
        var stale = await Repository.TryUpdateAllAsync([.. claimed.Select(r => (r.Record with { Released = true }, r.ETag))]);
        stale.Should().BeNull("one row changed since it was read");
        (await Repository.GetManyAsync([.. bucket.Select(r => r.Key)])).Select(r => r!.Record).Should().Equal(
            claimed.Select((r, i) => i == 3 ? changed!.Record : r.Record), "a failed transaction writes nothing");
    }

    [Fact]
    public async Task TryUpdate_TwoClaimsWithTheSameETag_ExactlyOneWins()
    {
        var row = Row(1);
        await Repository.AddNewAsync(Alert, [row]);
        var read = (await Repository.GetAsync(row.Key))!;

        var claims = await Task.WhenAll(Enumerable.Range(1, 2).Select(worker => Task.Run(() =>
            Repository.TryUpdateAsync(read.Record with { Status = DeliveryStatus.Sending, Attempt = 1, ProviderId = $"worker-{worker}", ClaimedAt = Now }, read.ETag))));

        claims.Count(c => c is not null).Should().Be(1);
        var winner = claims.Single(c => c is not null)!;
        (await Repository.GetAsync(row.Key))!.Should().Be(winner, "the stored row and ETag are the winner's");
    }

    [Fact]
    public async Task Row_RoundTripsEveryField_AndAbsentFieldsStayAbsent()
    {
        var row = Row(7) with
        {
            Status = DeliveryStatus.Sending,
            Language = LanguageTag.Parse("ru"),
            Encoding = SmsEncodingKind.Ucs2,
            Segments = 2,
            BodyHash = new string('a', 64),
            Attempt = 2,
            FirstClaimedAt = Now,
            ClaimedAt = Now.Plus(Duration.FromMinutes(3)),
            Released = true,
            ErrorCode = "20429",
            Snapshot = new ContactSnapshot("Айгуль", LanguageTag.Parse("ru-KZ"), TimeZoneId.Parse("Asia/Aqtau")),
        };
        await Repository.AddNewAsync(Alert, [Row(7)]);
        var stored = (await Repository.GetAsync(row.Key))!;

        var updated = await Repository.TryUpdateAsync(row, stored.ETag);
        var read = (await Repository.GetAsync(row.Key))!;

        read.Record.Should().Be(row);
        read.ETag.Should().Be(updated!.ETag);
        var cleared = await Repository.TryUpdateAsync(row with { Address = null, Status = DeliveryStatus.Failed, FailureReason = FailureReason.NotMobile }, read.ETag);
        (await Repository.GetAsync(row.Key))!.Record.Should().Be(cleared!.Record);
        (await Repository.GetAsync(row.Key))!.Record.Address.Should().BeNull("a replaced row drops properties set to null");
        Row(8).Snapshot.Should().BeNull();
        await Repository.AddNewAsync(Alert, [Row(8)]);
        (await Repository.GetAsync(Row(8).Key))!.Record.Should().Be(Row(8), "a row without a snapshot (as written before it existed) reads back without one");
    }

    [Fact]
    public async Task TryUpdate_StaleETag_ReturnsNull()
    {
        await Repository.AddNewAsync(Alert, [Row(2)]);
        var read = (await Repository.GetAsync(Row(2).Key))!;
        await Repository.TryUpdateAsync(read.Record with { Attempt = 1 }, read.ETag);

        (await Repository.TryUpdateAsync(read.Record with { Attempt = 9 }, read.ETag)).Should().BeNull();
    }

    [Fact]
    public async Task GetPage_PagesThroughTheAlertsRowsOnly()
    {
        await Repository.AddNewAsync(Alert, Enumerable.Range(0, 5).Select(i => Row(i)).ToList());
        var other = AlertId.Parse("00000000000000000000000000000001");
        await Repository.AddNewAsync(other, [Row(9) with { Key = new DeliveryKey(other, Channel.Sms, Row(9).Key.Recipient) }]);

        var seen = new List<DeliveryRecord>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Repository.GetPageAsync(Alert, 2, token);
            seen.AddRange(page.Rows);
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        seen.Should().HaveCount(5).And.OnlyContain(r => r.AlertId == Alert);
        pages.Should().BeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public async Task GetReportedRows_MixedUnionsStatusesAndChannels_AddUpToTheExactReportOfTheUnionsRows()
    {
        // 600 rows over all 16 partitions: two unions, one row without a contact (erased before the contact rule), every status.
        var statuses = Enum.GetValues<DeliveryStatus>();
        var rows = Enumerable.Range(0, 600).Select(i =>
        {
            var status = statuses[i % statuses.Length];
            var row = Row(i, status) with
            {
                Contact = i == 7 ? null : new ContactRef(UnionId.Parse(i % 3 == 0 ? "uk-energy" : "kz-oil"), BranchId.Parse("aqtau"), ContactId.Parse($"c{i}")),
                Segments = status is DeliveryStatus.Sent or DeliveryStatus.Delivered ? 1 + (i % 3) : null,
                FailureReason = status is DeliveryStatus.Failed or DeliveryStatus.Undelivered ? (i % 2 == 0 ? FailureReason.InvalidNumber : FailureReason.NotMobile) : null,
                ErrorCode = status is DeliveryStatus.Failed or DeliveryStatus.Undelivered ? (i % 4 == 0 ? "30003" : null) : null,
                SkipReason = status == DeliveryStatus.Skipped ? (i % 2 == 0 ? SkipReason.NoConsent : SkipReason.OptedOut) : null,
            };
            return i % 5 == 0 ? row with { Key = new DeliveryKey(Alert, Channel.Email, row.Key.Recipient), Address = row.Address is null ? null : $"m{i}@example.org" } : row;
        }).ToList();
        await Repository.AddNewAsync(Alert, rows);
        var union = UnionId.Parse("kz-oil");

        var fast = new AlertReportBuilder();
        await foreach (var row in Repository.GetReportedRowsAsync(Alert, union))
        {
            fast.Add(row);
        }

        var exact = new AlertReportBuilder();
        foreach (var row in rows.Where(r => r.Contact?.UnionId == union))
        {
            exact.Add(row);
        }

        var expected = exact.Build();
        expected.Rows.Should().Be(rows.Count(r => r.Contact?.UnionId == union)).And.BeGreaterThan(300);
        fast.Build().Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task GetReportedRows_AnotherAlertsRowsAndAnUnknownAlert_AreNotCounted()
    {
        var other = AlertId.Parse("0123456789abcdef0123456789abcdef");
        await Repository.AddNewAsync(Alert, [.. Enumerable.Range(0, 40).Select(i => Row(i))]);
        await Repository.AddNewAsync(other, [.. Enumerable.Range(0, 40).Select(i => Row(i) with { Key = new DeliveryKey(other, Channel.Sms, Row(i).Key.Recipient) })]);

        var counted = 0;
        await foreach (var _ in Repository.GetReportedRowsAsync(Alert, UnionId.Parse("kz-oil")))
        {
            counted++;
        }

        var unknown = 0;
        await foreach (var _ in Repository.GetReportedRowsAsync(AlertId.Parse("fedcba9876543210fedcba9876543210"), UnionId.Parse("kz-oil")))
        {
            unknown++;
        }

        counted.Should().Be(40);
        unknown.Should().Be(0);
    }

    private async Task<List<string>> AllRowsAsync()
    {
        var table = await Tables.GetAsync(PipelineTables.Deliveries);
        var keys = new List<string>();
        await foreach (var e in table.QueryAsync<Azure.Data.Tables.TableEntity>())
        {
            keys.Add(e.RowKey.ToString(CultureInfo.InvariantCulture));
        }

        return keys;
    }
}

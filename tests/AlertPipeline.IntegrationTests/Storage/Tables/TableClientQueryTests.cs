using AlertPipeline.Infrastructure.Storage.Tables;

namespace AlertPipeline.IntegrationTests.Storage.Tables;

public class TableClientQueryTests : TableTestBase
{
    private async Task SeedAsync(string pk, int count)
    {
        for (var start = 0; start < count; start += 100)
        {
            var actions = Enumerable.Range(start, Math.Min(100, count - start))
                .Select(i => new TableTransactionAction(
                    TableTransactionActionType.Add,
                    Entity(pk, i.ToString("D5"), ("Count", i), ("Even", i % 2 == 0))))
                .ToList();
            await Table.SubmitTransactionAsync(actions);
        }
    }

    [Fact]
    public async Task Query_FilterOnPartitionAndProperty_ReturnsMatchesOnly()
    {
        await SeedAsync("a", 20);
        await SeedAsync("b", 5);
        var n = 14;

        var found = await AllAsync(TableFilter.Create($"PartitionKey eq {"a"} and Count gt {n}"));

        found.Select(e => e.GetInt32("Count")).Should().Equal(15, 16, 17, 18, 19);
        found.Should().OnlyContain(e => e.PartitionKey == "a");
    }

    [Fact]
    public async Task Query_Select_ReturnsOnlySelectedProperties()
    {
        await SeedAsync("a", 3);

        var found = new List<TableEntity>();
        await foreach (var e in Table.QueryAsync(TableFilter.PartitionKeyEquals("a"), select: ["RowKey", "Count"]))
        {
            found.Add(e);
        }

        found.Should().HaveCount(3);
        found.Should().OnlyContain(e => e.ContainsKey("Count") && !e.ContainsKey("Even"));
        found.Select(e => e.RowKey).Should().Equal("00000", "00001", "00002");
    }

    [Fact]
    public async Task QueryPages_SmallPages_FollowsContinuationAcrossPartitions()
    {
        await SeedAsync("a", 7);
        await SeedAsync("b", 4);
        Requests.Clear();

        var pages = new List<TablePage>();
        await foreach (var page in Table.QueryPagesAsync(maxPerPage: 3))
        {
            pages.Add(page);
        }

        pages.Should().HaveCountGreaterThanOrEqualTo(4);
        pages.Should().OnlyContain(p => p.Items.Count <= 3);
        pages[..^1].Should().OnlyContain(p => p.ContinuationToken != null);
        pages[^1].ContinuationToken.Should().BeNull();
        var keys = pages.SelectMany(p => p.Items).Select(e => e.PartitionKey + "/" + e.RowKey).ToList();
        keys.Should().HaveCount(11).And.OnlyHaveUniqueItems();
        keys.Should().BeInAscendingOrder(StringComparer.Ordinal);
        Requests.All.Skip(1).Should().OnlyContain(r => r.Uri.Query.Contains("NextPartitionKey=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task QueryPages_ResumeFromToken_ContinuesWhereTheFirstPageStopped()
    {
        await SeedAsync("a", 10);

        TablePage? first = null;
        await foreach (var page in Table.QueryPagesAsync(maxPerPage: 4))
        {
            first = page;
            break;
        }

        var rest = new List<TableEntity>();
        await foreach (var page in Table.QueryPagesAsync(maxPerPage: 4, continuationToken: first!.ContinuationToken))
        {
            rest.AddRange(page.Items);
        }

        first.Items.Select(e => e.RowKey).Should().Equal("00000", "00001", "00002", "00003");
        rest.Select(e => e.RowKey).Should().Equal(Enumerable.Range(4, 6).Select(i => i.ToString("D5")));
    }

    [Fact]
    public async Task Query_MoreThanOneServicePage_StreamsAllEntities()
    {
        await SeedAsync("a", 1234);

        var all = await AllAsync(TableFilter.PartitionKeyEquals("a"));

        all.Should().HaveCount(1234);
        all.Select(e => e.GetInt32("Count")).Should().Equal(Enumerable.Range(0, 1234).Cast<int?>());
        Requests.All.Count(r => r.Method == "GET").Should().Be(2, "Azurite returns at most 1000 entities a page");
    }

    [Fact]
    public async Task Query_QuoteInjectionValue_MatchesNothing()
    {
        await SeedAsync("a", 3);
        var hostile = "x' or PartitionKey ne 'x";

        var found = await AllAsync(TableFilter.Create($"PartitionKey eq {hostile}"));
        var orHostile = await AllAsync(TableFilter.Create($"RowKey eq {"' or '1' eq '1"}"));

        found.Should().BeEmpty();
        orHostile.Should().BeEmpty();
        (await AllAsync("PartitionKey eq 'x' or PartitionKey ne 'x'")).Should().HaveCount(3, "the same text unquoted would match everything");
    }

    [Fact]
    public async Task Query_QuoteInValue_MatchesExactly()
    {
        await Table.AddEntityAsync(Entity("p", "1", ("Name", "O'Brien")));
        await Table.AddEntityAsync(Entity("p", "2", ("Name", "OBrien")));

        var found = await AllAsync(TableFilter.Create($"Name eq {"O'Brien"}"));

        found.Select(e => e.RowKey).Should().Equal("1");
    }

    [Fact]
    public async Task Query_TypedLiterals_MatchTypedProperties()
    {
        var when = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567);
        var id = Guid.NewGuid();
        await Table.AddEntityAsync(Entity("p", "1", ("Big", 5_000_000_000L), ("When", when), ("Id", id), ("Ratio", 2.5), ("Bytes", new byte[] { 1, 2, 255 }), ("On", true)));
        await Table.AddEntityAsync(Entity("p", "2", ("Big", 1L), ("When", when.AddDays(-1)), ("Id", Guid.NewGuid()), ("Ratio", 1.0), ("Bytes", new byte[] { 0 }), ("On", false)));

        (await AllAsync(TableFilter.Create($"Big gt {4_000_000_000L}"))).Select(e => e.RowKey).Should().Equal("1");
        (await AllAsync(TableFilter.Create($"When ge {when}"))).Select(e => e.RowKey).Should().Equal("1");
        (await AllAsync(TableFilter.Create($"Id eq {id}"))).Select(e => e.RowKey).Should().Equal("1");
        (await AllAsync(TableFilter.Create($"Ratio gt {2.0}"))).Select(e => e.RowKey).Should().Equal("1");
        (await AllAsync(TableFilter.Create($"Bytes eq {new byte[] { 1, 2, 255 }}"))).Select(e => e.RowKey).Should().Equal("1");
        (await AllAsync(TableFilter.Create($"On eq {true}"))).Select(e => e.RowKey).Should().Equal("1");
        (await AllAsync(TableFilter.And(TableFilter.PartitionKeyEquals("p"), TableFilter.Or(TableFilter.RowKeyEquals("1"), TableFilter.RowKeyEquals("2")))))
            .Should().HaveCount(2);
    }

    [Fact]
    public async Task Query_MaxPerPageOutOfRange_FailsBeforeAnyRequest()
    {
        var act = () => Table.QueryPagesAsync(maxPerPage: 1001);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("maxPerPage");
        Requests.Count.Should().Be(0);
    }
}

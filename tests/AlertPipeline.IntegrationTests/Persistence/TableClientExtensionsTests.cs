using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Testing;
using Azure;
using Azure.Data.Tables;

namespace AlertPipeline.IntegrationTests.Persistence;

/// <summary>The repositories' three helpers over <see cref="TableClient"/>, on Azurite: what each promises a repository.</summary>
public sealed class TableClientExtensionsTests : IAsyncLifetime
{
    private TableClient _table = null!;

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient(AzuriteFixture.UniqueName("x"));
        await _table.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync() => await _table.DeleteAsync();

    [Fact]
    public async Task GetEntityOrNull_AbsentRow_IsNull_PresentRowComesWithItsETag()
    {
        var written = await _table.AddEntityAsync(new TableEntity("p", "r") { ["Name"] = "x" });

        (await _table.GetEntityOrNullAsync("p", "missing")).Should().BeNull();
        var read = await _table.GetEntityOrNullAsync("p", "r");
        read!.GetString("Name").Should().Be("x");
        read.ETag.Should().Be(written.NewETag());
    }

    [Fact]
    public async Task GetEntityOrNull_MissingTable_ThrowsRatherThanReadingAbsent()
    {
        var missing = new TableServiceClient((await AzuriteFixture.SharedAsync()).ConnectionString).GetTableClient(AzuriteFixture.UniqueName("none"));

        await FluentActions.Awaiting(() => missing.GetEntityOrNullAsync("p", "r"))
            .Should().ThrowAsync<RequestFailedException>().Where(e => e.Status == 404 && e.ErrorCode == "TableNotFound");
    }

    [Fact]
    public async Task GetPage_ResumesFromItsToken_UntilEveryRowWasReturnedOnce()
    {
        await _table.SubmitTransactionAsync(Enumerable.Range(0, 25).Select(i =>
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i:D2}") { ["I"] = i })));
        await _table.AddEntityAsync(new TableEntity("q", "other"));
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {"p"}");

        var seen = new List<int>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await _table.GetPageAsync(filter, 10, token);
            page.Values.Count.Should().BeLessThanOrEqualTo(10);
            seen.AddRange(page.Values.Select(e => e.GetInt32("I")!.Value));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        seen.Should().Equal(Enumerable.Range(0, 25), "every row once, in key order, and none of the other partition");
        pages.Should().Be(3);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("next-pk next-rk")]
    public async Task GetPage_TokenItDidNotIssue_IsRefusedNamingTheToken(string token) =>
        await FluentActions.Awaiting(() => _table.GetPageAsync(TableClient.CreateQueryFilter($"PartitionKey eq {"p"}"), 10, token))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("continuationToken");

    [Fact]
    public async Task DeleteEntityIfExists_AbsentIsFalse_StaleETagThrows412_CurrentETagDeletes()
    {
        var first = (await _table.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 1 })).NewETag();
        var second = (await _table.UpdateEntityAsync(new TableEntity("p", "r") { ["V"] = 2 }, first)).NewETag();

        (await _table.DeleteEntityIfExistsAsync("p", "missing")).Should().BeFalse();
        await FluentActions.Awaiting(() => _table.DeleteEntityIfExistsAsync("p", "r", first))
            .Should().ThrowAsync<RequestFailedException>().Where(e => e.Status == 412);
        (await _table.DeleteEntityIfExistsAsync("p", "r", second)).Should().BeTrue();
        (await _table.GetEntityOrNullAsync("p", "r")).Should().BeNull();
    }

    [Fact]
    public async Task TypedProperties_RoundTripWithTheirTypes_AndNullsAreNotStored()
    {
        var at = new DateTimeOffset(2025, 12, 16, 10, 0, 0, TimeSpan.FromHours(5));
        await _table.AddEntityAsync(new TableEntity("p", "typed")
        {
            ["S"] = "text", ["B"] = true, ["I"] = 42, ["L"] = 1L << 40, ["D"] = 2.0, ["T"] = at, ["G"] = Guid.Empty, ["N"] = null,
        });

        var read = (await _table.GetEntityOrNullAsync("p", "typed"))!;

        read.GetString("S").Should().Be("text");
        read.GetBoolean("B").Should().BeTrue();
        read.GetInt32("I").Should().Be(42);
        read.GetInt64("L").Should().Be(1L << 40);
        read.GetDouble("D").Should().Be(2.0);
        read.GetDateTimeOffset("T").Should().Be(at).And.Subject!.Value.Offset.Should().Be(TimeSpan.Zero, "the service stores UTC");
        read.GetGuid("G").Should().Be(Guid.Empty);
        read.ContainsKey("N").Should().BeFalse("a null is not written: Replace drops a property by leaving it null");
    }
}

using AlertPipeline.Infrastructure.Storage.Tables;
using AlertPipeline.Testing;
using Azure;

namespace AlertPipeline.IntegrationTests.Storage.Tables;

public class TableClientCrudTests : TableTestBase
{
    [Fact]
    public async Task AddEntity_ThenGet_ReturnsPropertiesAndETag()
    {
        var etag = await Table.AddEntityAsync(Entity("p", "r", ("Name", "Ana"), ("Count", 3)));

        var read = await Table.GetEntityAsync("p", "r");

        etag.Should().NotBe(default(ETag));
        read.ETag.Should().Be(etag);
        read.PartitionKey.Should().Be("p");
        read.RowKey.Should().Be("r");
        read.GetString("Name").Should().Be("Ana");
        read.GetInt32("Count").Should().Be(3);
        read.Timestamp.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task AddEntity_Duplicate_ThrowsEntityAlreadyExists()
    {
        await Table.AddEntityAsync(Entity("p", "r"));

        var act = () => Table.AddEntityAsync(Entity("p", "r", ("X", 1)));

        var ex = (await act.Should().ThrowAsync<TableEntityAlreadyExistsException>()).Which;
        ex.Status.Should().Be(409);
        ex.ErrorCode.Should().Be(TableErrorCode.EntityAlreadyExists);
        (await Table.GetEntityAsync("p", "r")).ContainsKey("X").Should().BeFalse();
    }

    [Fact]
    public async Task GetEntity_Missing_ThrowsNotFound_AndIfExistsReturnsNull()
    {
        var act = () => Table.GetEntityAsync("p", "nope");

        var ex = (await act.Should().ThrowAsync<TableEntityNotFoundException>()).Which;
        ex.Status.Should().Be(404);
        ex.ErrorCode.Should().Be(TableErrorCode.ResourceNotFound);
        (await Table.GetEntityIfExistsAsync("p", "nope")).Should().BeNull();
    }

    [Fact]
    public async Task GetEntityIfExists_MissingTable_Throws()
    {
        var missing = Service.GetTableClient(AzuriteFixture.UniqueName("t"));

        var act = () => missing.GetEntityIfExistsAsync("p", "r");

        var ex = (await act.Should().ThrowAsync<RequestFailedException>()).Which;
        ex.Status.Should().Be(404);
        ex.Should().NotBeOfType<TableEntityNotFoundException>();
    }

    [Fact]
    public async Task GetEntity_WithSelect_ReturnsOnlySelectedProperties()
    {
        await Table.AddEntityAsync(Entity("p", "r", ("A", "a"), ("B", "b"), ("C", 3)));

        var read = await Table.GetEntityAsync("p", "r", ["A", "C"]);

        read.GetString("A").Should().Be("a");
        read.GetInt32("C").Should().Be(3);
        read.ContainsKey("B").Should().BeFalse();
    }

    [Fact]
    public async Task UpdateEntity_WithCurrentETag_SucceedsAndReturnsNewETag()
    {
        var first = await Table.AddEntityAsync(Entity("p", "r", ("N", 1)));

        var second = await Table.UpdateEntityAsync(Entity("p", "r", ("N", 2)), first);

        second.Should().NotBe(first);
        var read = await Table.GetEntityAsync("p", "r");
        read.GetInt32("N").Should().Be(2);
        read.ETag.Should().Be(second);
    }

    [Fact]
    public async Task UpdateEntity_StaleETag_ThrowsConcurrencyAndChangesNothing()
    {
        var stale = await Table.AddEntityAsync(Entity("p", "r", ("N", 1)));
        await Table.UpdateEntityAsync(Entity("p", "r", ("N", 2)), stale);

        var act = () => Table.UpdateEntityAsync(Entity("p", "r", ("N", 3)), stale, TableUpdateMode.Replace);

        var ex = (await act.Should().ThrowAsync<TableConcurrencyException>()).Which;
        ex.Status.Should().Be(412);
        ex.ErrorCode.Should().Be(TableErrorCode.UpdateConditionNotSatisfied);
        ex.Should().BeAssignableTo<RequestFailedException>();
        (await Table.GetEntityAsync("p", "r")).GetInt32("N").Should().Be(2);
    }

    [Fact]
    public async Task UpdateEntity_Missing_ThrowsNotFound()
    {
        var act = () => Table.UpdateEntityAsync(Entity("p", "missing", ("N", 1)), ETag.All);

        (await act.Should().ThrowAsync<TableEntityNotFoundException>()).Which.Status.Should().Be(404);
        (await Table.GetEntityIfExistsAsync("p", "missing")).Should().BeNull();
    }

    [Fact]
    public async Task UpdateEntity_DefaultETag_FailsBeforeAnyRequest()
    {
        var act = () => Table.UpdateEntityAsync(Entity("p", "r", ("N", 1)), default);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("ifMatch");
        Requests.Count.Should().Be(0);
    }

    [Fact]
    public async Task UpdateEntity_Merge_KeepsOtherProperties_ReplaceDropsThem()
    {
        await Table.AddEntityAsync(Entity("p", "m", ("A", "a"), ("B", "b")));
        await Table.AddEntityAsync(Entity("p", "x", ("A", "a"), ("B", "b")));

        await Table.UpdateEntityAsync(Entity("p", "m", ("A", "a2")), ETag.All, TableUpdateMode.Merge);
        await Table.UpdateEntityAsync(Entity("p", "x", ("A", "a2")), ETag.All, TableUpdateMode.Replace);

        var merged = await Table.GetEntityAsync("p", "m");
        merged.GetString("A").Should().Be("a2");
        merged.GetString("B").Should().Be("b");
        var replaced = await Table.GetEntityAsync("p", "x");
        replaced.GetString("A").Should().Be("a2");
        replaced.ContainsKey("B").Should().BeFalse();
    }

    [Fact]
    public async Task UpsertEntity_InsertsThenMergesOrReplaces()
    {
        await Table.UpsertEntityAsync(Entity("p", "r", ("A", "a"), ("B", "b")));
        (await Table.GetEntityAsync("p", "r")).GetString("B").Should().Be("b");

        await Table.UpsertEntityAsync(Entity("p", "r", ("A", "a2")), TableUpdateMode.Merge);
        var merged = await Table.GetEntityAsync("p", "r");
        merged.GetString("A").Should().Be("a2");
        merged.GetString("B").Should().Be("b");

        await Table.UpsertEntityAsync(Entity("p", "r", ("A", "a3")), TableUpdateMode.Replace);
        var replaced = await Table.GetEntityAsync("p", "r");
        replaced.GetString("A").Should().Be("a3");
        replaced.ContainsKey("B").Should().BeFalse();
    }

    [Fact]
    public async Task UpsertEntity_NullValue_IsNotWritten_MergeKeepsOldValue_ReplaceRemovesIt()
    {
        await Table.AddEntityAsync(Entity("p", "r", ("A", "a"), ("B", "b")));

        await Table.UpsertEntityAsync(Entity("p", "r", ("A", null)), TableUpdateMode.Merge);
        (await Table.GetEntityAsync("p", "r")).GetString("A").Should().Be("a");

        await Table.UpsertEntityAsync(Entity("p", "r", ("A", null), ("B", "b2")), TableUpdateMode.Replace);
        var read = await Table.GetEntityAsync("p", "r");
        read.ContainsKey("A").Should().BeFalse();
        read.GetString("A").Should().BeNull();
        read.GetString("B").Should().Be("b2");
    }

    [Fact]
    public async Task DeleteEntity_Existing_DeletesAndReturnsTrue_MissingReturnsFalse()
    {
        await Table.AddEntityAsync(Entity("p", "r"));

        (await Table.DeleteEntityAsync("p", "r")).Should().BeTrue();
        (await Table.GetEntityIfExistsAsync("p", "r")).Should().BeNull();
        (await Table.DeleteEntityAsync("p", "r")).Should().BeFalse();
    }

    [Fact]
    public async Task DeleteEntity_StaleETag_ThrowsConcurrencyAndKeepsEntity()
    {
        var stale = await Table.AddEntityAsync(Entity("p", "r", ("N", 1)));
        var current = await Table.UpdateEntityAsync(Entity("p", "r", ("N", 2)), stale);

        var act = () => Table.DeleteEntityAsync("p", "r", stale);

        (await act.Should().ThrowAsync<TableConcurrencyException>()).Which.Status.Should().Be(412);
        (await Table.GetEntityIfExistsAsync("p", "r")).Should().NotBeNull();
        (await Table.DeleteEntityAsync("p", "r", current)).Should().BeTrue();
    }

    [Theory]
    [InlineData("O'Brien", "it's")]
    [InlineData("space and ünïcødé", "100% (sure)")]
    [InlineData("", "")]
    [InlineData("a'', RowKey='b", "+&=;$@!*~")]
    public async Task Keys_WithQuotesSpacesAndPunctuation_RoundTrip(string pk, string rk)
    {
        await Table.AddEntityAsync(Entity(pk, rk, ("V", 1)));

        var read = await Table.GetEntityAsync(pk, rk);
        read.PartitionKey.Should().Be(pk);
        read.RowKey.Should().Be(rk);
        var updated = await Table.UpdateEntityAsync(Entity(pk, rk, ("V", 2)), read.ETag);
        (await Table.GetEntityAsync(pk, rk)).ETag.Should().Be(updated);
        (await Table.DeleteEntityAsync(pk, rk)).Should().BeTrue();
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\tb")]
    [InlineData("a\u007fb")]
    public async Task BadKeyCharacters_FailBeforeAnyRequest(string bad)
    {
        (await FluentActions.Awaiting(() => Table.AddEntityAsync(Entity(bad, "r"))).Should().ThrowAsync<ArgumentException>())
            .WithMessage("*PartitionKey*");
        (await FluentActions.Awaiting(() => Table.UpsertEntityAsync(Entity("p", bad))).Should().ThrowAsync<ArgumentException>())
            .WithMessage("*RowKey*");
        await FluentActions.Awaiting(() => Table.GetEntityAsync("p", bad)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => Table.DeleteEntityAsync(bad, "r")).Should().ThrowAsync<ArgumentException>();

        Requests.Count.Should().Be(0);
    }

    [Fact]
    public async Task CreateIfNotExists_Twice_ReturnsFalseSecondTime_AndDeleteIsIdempotent()
    {
        var name = AzuriteFixture.UniqueName("t");

        (await Service.CreateTableIfNotExistsAsync(name)).Should().BeTrue();
        (await Service.CreateTableIfNotExistsAsync(name)).Should().BeFalse();
        (await Service.DeleteTableAsync(name)).Should().BeTrue();
        (await Service.DeleteTableAsync(name)).Should().BeFalse();
    }

    [Fact]
    public async Task AddEntity_MissingTable_ThrowsTableNotFound()
    {
        var missing = Service.GetTableClient(AzuriteFixture.UniqueName("t"));

        var act = () => missing.AddEntityAsync(Entity("p", "r"));

        var ex = (await act.Should().ThrowAsync<RequestFailedException>()).Which;
        ex.Status.Should().Be(404);
        ex.ErrorCode.Should().Be(TableErrorCode.TableNotFound);
    }
}

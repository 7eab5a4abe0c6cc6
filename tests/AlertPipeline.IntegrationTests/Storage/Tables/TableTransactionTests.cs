using AlertPipeline.Infrastructure.Storage.Tables;
using Azure;

namespace AlertPipeline.IntegrationTests.Storage.Tables;

public class TableTransactionTests : TableTestBase
{
    private static TableTransactionAction Act(TableTransactionActionType type, TableEntity entity, ETag etag = default) =>
        new(type, entity, etag);

    [Fact]
    public async Task SubmitTransaction_EveryActionType_AppliesAllAndReturnsStatusesAndETags()
    {
        var updateMergeETag = await Table.AddEntityAsync(Entity("p", "um", ("A", "a"), ("B", "b")));
        await Table.AddEntityAsync(Entity("p", "ur", ("A", "a"), ("B", "b")));
        await Table.AddEntityAsync(Entity("p", "sm", ("A", "a"), ("B", "b")));
        await Table.AddEntityAsync(Entity("p", "sr", ("A", "a"), ("B", "b")));
        var deleteETag = await Table.AddEntityAsync(Entity("p", "del"));

        var results = await Table.SubmitTransactionAsync(
        [
            Act(TableTransactionActionType.Add, Entity("p", "new", ("Big", long.MaxValue))),
            Act(TableTransactionActionType.UpdateMerge, Entity("p", "um", ("A", "a2")), updateMergeETag),
            Act(TableTransactionActionType.UpdateReplace, Entity("p", "ur", ("A", "a2")), ETag.All),
            Act(TableTransactionActionType.UpsertMerge, Entity("p", "sm", ("A", "a2"))),
            Act(TableTransactionActionType.UpsertReplace, Entity("p", "sr", ("A", "a2"))),
            Act(TableTransactionActionType.UpsertMerge, Entity("p", "fresh", ("A", "a2"))),
            Act(TableTransactionActionType.Delete, new TableEntity("p", "del"), deleteETag),
        ]);

        results.Select(r => r.Status).Should().Equal(204, 204, 204, 204, 204, 204, 204);
        results.Take(6).Should().OnlyContain(r => r.ETag != default(ETag));
        results.Select(r => r.Action.Entity.RowKey).Should().Equal("new", "um", "ur", "sm", "sr", "fresh", "del");
        var all = (await AllAsync()).ToDictionary(e => e.RowKey);
        all.Keys.Should().BeEquivalentTo("new", "um", "ur", "sm", "sr", "fresh");
        all["new"].GetInt64("Big").Should().Be(long.MaxValue);
        all["new"].ETag.Should().Be(results[0].ETag);
        all["um"].GetString("B").Should().Be("b");
        all["ur"].ContainsKey("B").Should().BeFalse();
        all["sm"].GetString("B").Should().Be("b");
        all["sr"].ContainsKey("B").Should().BeFalse();
        all.Values.Where(e => e.RowKey != "new").Should().OnlyContain(e => e.GetString("A") == "a2");
    }

    [Fact]
    public async Task SubmitTransaction_ThirdActionAddsExistingEntity_FailsAtIndex2AndAppliesNothing()
    {
        await Table.AddEntityAsync(Entity("p", "exists", ("V", "original")));
        await Table.AddEntityAsync(Entity("p", "keep", ("V", "original")));
        var before = (await AllAsync()).Select(e => (e.RowKey, e.ETag)).ToList();

        var act = () => Table.SubmitTransactionAsync(
        [
            Act(TableTransactionActionType.Add, Entity("p", "a1")),
            Act(TableTransactionActionType.UpsertReplace, Entity("p", "keep", ("V", "changed"))),
            Act(TableTransactionActionType.Add, Entity("p", "exists", ("V", "changed"))),
            Act(TableTransactionActionType.Add, Entity("p", "a4")),
        ]);

        var ex = (await act.Should().ThrowAsync<TableTransactionFailedException>()).Which;
        ex.FailedOperationIndex.Should().Be(2);
        ex.FailedAction!.Entity.RowKey.Should().Be("exists");
        ex.Status.Should().Be(409);
        ex.ErrorCode.Should().Be(TableErrorCode.EntityAlreadyExists);
        ex.Should().BeAssignableTo<RequestFailedException>();
        var after = await AllAsync();
        after.Select(e => (e.RowKey, e.ETag)).Should().BeEquivalentTo(before);
        after.Should().OnlyContain(e => e.GetString("V") == "original");
    }

    [Fact]
    public async Task SubmitTransaction_StaleETagOnUpdate_FailsWithPreconditionAtItsIndex()
    {
        var stale = await Table.AddEntityAsync(Entity("p", "r", ("N", 1)));
        await Table.UpdateEntityAsync(Entity("p", "r", ("N", 2)), stale);

        var act = () => Table.SubmitTransactionAsync(
        [
            Act(TableTransactionActionType.Add, Entity("p", "other")),
            Act(TableTransactionActionType.UpdateReplace, Entity("p", "r", ("N", 3)), stale),
        ]);

        var ex = (await act.Should().ThrowAsync<TableTransactionFailedException>()).Which;
        ex.FailedOperationIndex.Should().Be(1);
        ex.Status.Should().Be(412);
        (await Table.GetEntityIfExistsAsync("p", "other")).Should().BeNull();
        (await Table.GetEntityAsync("p", "r")).GetInt32("N").Should().Be(2);
    }

    [Fact]
    public async Task SubmitTransaction_DeleteMissing_FailsWithNotFoundAtItsIndex()
    {
        var act = () => Table.SubmitTransactionAsync(
        [
            Act(TableTransactionActionType.Add, Entity("p", "a")),
            Act(TableTransactionActionType.Delete, new TableEntity("p", "missing")),
        ]);

        var ex = (await act.Should().ThrowAsync<TableTransactionFailedException>()).Which;
        ex.FailedOperationIndex.Should().Be(1);
        ex.Status.Should().Be(404);
        (await AllAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task SubmitTransaction_HundredActions_Succeeds()
    {
        var actions = Enumerable.Range(0, 100)
            .Select(i => Act(TableTransactionActionType.UpsertReplace, Entity("p", $"r{i:D3}", ("I", i))))
            .ToList();

        var results = await Table.SubmitTransactionAsync(actions);

        results.Should().HaveCount(100);
        (await AllAsync()).Should().HaveCount(100);
    }

    [Fact]
    public async Task SubmitTransaction_KeysWithQuotesAndUnicode_Work()
    {
        var results = await Table.SubmitTransactionAsync(
        [
            Act(TableTransactionActionType.Add, Entity("O'Brien ü", "it's 100%", ("V", 1))),
            Act(TableTransactionActionType.UpsertMerge, Entity("O'Brien ü", "a b+c", ("V", 2))),
        ]);

        results.Should().HaveCount(2);
        (await Table.GetEntityAsync("O'Brien ü", "it's 100%")).GetInt32("V").Should().Be(1);
        (await Table.GetEntityAsync("O'Brien ü", "a b+c")).GetInt32("V").Should().Be(2);
        await Table.SubmitTransactionAsync([Act(TableTransactionActionType.Delete, new TableEntity("O'Brien ü", "it's 100%"))]);
        (await Table.GetEntityIfExistsAsync("O'Brien ü", "it's 100%")).Should().BeNull();
    }

    public static TheoryData<string, TableTransactionAction[]> InvalidBatches => new()
    {
        { "empty", [] },
        {
            "mixed partitions",
            [Act(TableTransactionActionType.Add, Entity("p1", "a")), Act(TableTransactionActionType.Add, Entity("p2", "b"))]
        },
        {
            "more than 100",
            Enumerable.Range(0, 101).Select(i => Act(TableTransactionActionType.Add, Entity("p", $"r{i}"))).ToArray()
        },
        {
            "duplicate row key",
            [Act(TableTransactionActionType.Add, Entity("p", "a")), Act(TableTransactionActionType.UpsertMerge, Entity("p", "a"))]
        },
        { "bad key character", [Act(TableTransactionActionType.Add, Entity("p", "a/b"))] },
        { "update without etag", [Act(TableTransactionActionType.UpdateMerge, Entity("p", "a"))] },
        {
            "over 4 MiB",
            Enumerable.Range(0, 80).Select(i => Act(TableTransactionActionType.Add, Entity("p", $"r{i}", ("S", new string('x', 30_000)), ("T", new string('y', 30_000))))).ToArray()
        },
    };

    [Theory]
    [MemberData(nameof(InvalidBatches))]
    public async Task SubmitTransaction_InvalidBatch_FailsBeforeAnyRequestAndWritesNothing(string label, TableTransactionAction[] actions)
    {
        var act = () => Table.SubmitTransactionAsync(actions);

        await act.Should().ThrowAsync<ArgumentException>(label);
        Requests.Count.Should().Be(0, label);
        (await AllAsync()).Should().BeEmpty(label);
    }

    [Fact]
    public async Task SubmitTransaction_MixedPartitions_NamesTheOffendingAction()
    {
        var act = () => Table.SubmitTransactionAsync(
        [
            Act(TableTransactionActionType.Add, Entity("p", "a")),
            Act(TableTransactionActionType.Add, Entity("p", "b")),
            Act(TableTransactionActionType.Add, Entity("q", "c")),
        ]);

        (await act.Should().ThrowAsync<ArgumentException>())
            .WithMessage("Action 2 has a different PartitionKey*")
            .Which.ParamName.Should().Be("actions[2]");
    }
}

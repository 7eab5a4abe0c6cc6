using AlertPipeline.Infrastructure.Storage.Tables;
using Azure;

namespace AlertPipeline.IntegrationTests.Storage.Tables;

/// <summary>Limits the service would enforce fail in the client, before any request.</summary>
public class TableLimitTests : TableTestBase
{
    public static TheoryData<string, TableEntity, string> Oversized()
    {
        var tooManyProperties = new TableEntity("p", "r");
        for (var i = 0; i < 253; i++)
        {
            tooManyProperties[$"P{i}"] = i;
        }

        var tooBig = new TableEntity("p", "r");
        for (var i = 0; i < 20; i++)
        {
            tooBig[$"S{i}"] = new string('x', 30_000);
        }

        return new()
        {
            { "long partition key", new TableEntity(new string('k', 513), "r"), "*PartitionKey*1 KiB*" },
            { "long row key", new TableEntity("p", new string('k', 513)), "*RowKey*1 KiB*" },
            { "256 properties", tooManyProperties, "*256 properties*255*" },
            { "string over 64 KiB", new TableEntity("p", "r") { ["Text"] = new string('x', 32 * 1024 + 1) }, "*'Text'*64 KiB*" },
            { "binary over 64 KiB", new TableEntity("p", "r") { ["Blob"] = new byte[64 * 1024 + 1] }, "*'Blob'*64 KiB*" },
            { "entity over 1 MiB", tooBig, "*1 MiB*" },
            { "bad property name", new TableEntity("p", "r") { ["has space"] = 1 }, "*'has space'*" },
            { "property name with @", new TableEntity("p", "r") { ["a@odata.type"] = "Edm.Int64" }, "*'a@odata.type'*" },
            { "unspecified DateTime", new TableEntity("p", "r") { ["When"] = new DateTime(2024, 1, 1) }, "*'When'*unspecified*" },
            { "date before 1601", new TableEntity("p", "r") { ["When"] = DateTimeOffset.MinValue }, "*'When'*1601*" },
            { "no row key", new TableEntity { ["PartitionKey"] = "p" }, "*RowKey*" },
        };
    }

    [Theory]
    [MemberData(nameof(Oversized))]
    public async Task Writes_OverServiceLimits_FailBeforeAnyRequestNamingTheCulprit(string label, TableEntity entity, string message)
    {
        (await FluentActions.Awaiting(() => Table.AddEntityAsync(entity)).Should().ThrowAsync<ArgumentException>(label))
            .WithMessage(message);
        await FluentActions.Awaiting(() => Table.UpsertEntityAsync(entity)).Should().ThrowAsync<ArgumentException>(label);
        await FluentActions.Awaiting(() => Table.UpdateEntityAsync(entity, ETag.All)).Should().ThrowAsync<ArgumentException>(label);

        Requests.Count.Should().Be(0, label);
    }

    [Fact]
    public async Task Writes_AtTheLimits_AreAccepted()
    {
        var entity = new TableEntity(new string('k', 512), new string('r', 512));
        for (var i = 0; i < 252; i++)
        {
            entity[$"P{i}"] = i;
        }

        entity["P0"] = new string('x', 32 * 1024);
        entity["P1"] = new byte[64 * 1024];

        await Table.AddEntityAsync(entity);

        var read = await Table.GetEntityAsync(entity.PartitionKey, entity.RowKey);
        read.Count.Should().Be(255);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("1abc")]
    [InlineData("has-hyphen")]
    [InlineData("tables")]
    public void InvalidTableName_FailsWhenTheClientIsMade(string name)
    {
        var act = () => Service.GetTableClient(name);

        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("tableName");
        Requests.Count.Should().Be(0);
    }
}

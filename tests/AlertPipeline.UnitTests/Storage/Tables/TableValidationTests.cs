using AlertPipeline.Infrastructure.Storage.Tables;

namespace AlertPipeline.UnitTests.Storage.Tables;

public class TableValidationTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("Alerts2024")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")]
    public void TableName_Valid_Passes(string name) =>
        FluentActions.Invoking(() => TableValidation.TableName(name, "n")).Should().NotThrow();

    [Theory]
    [InlineData("ab")]
    [InlineData("1abc")]
    [InlineData("ab_c")]
    [InlineData("ab-c")]
    [InlineData("Tables")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void TableName_Invalid_ThrowsNamingTheRule(string name) =>
        FluentActions.Invoking(() => TableValidation.TableName(name, "n")).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("n");

    [Theory]
    [InlineData("a/b", "'/'")]
    [InlineData("a\\b", "'\\'")]
    [InlineData("a#b", "'#'")]
    [InlineData("a?b", "'?'")]
    [InlineData("a\u0000b", "U+0000")]
    [InlineData("a\u001fb", "U+001F")]
    [InlineData("a\u0085b", "U+0085")]
    public void Key_ForbiddenCharacter_ThrowsNamingTheKeyAndCharacter(string key, string what) =>
        FluentActions.Invoking(() => TableValidation.Key(key, "RowKey", "entity")).Should().Throw<ArgumentException>()
            .WithMessage($"The RowKey contains *{what}* at position 1*");

    [Fact]
    public void Key_Over1KiB_Throws_At1KiB_Passes()
    {
        FluentActions.Invoking(() => TableValidation.Key(new string('k', 512), "PartitionKey", "e")).Should().NotThrow();
        FluentActions.Invoking(() => TableValidation.Key(new string('k', 513), "PartitionKey", "e")).Should().Throw<ArgumentException>()
            .WithMessage("The PartitionKey is 513 characters*1 KiB*");
    }

    [Theory]
    [InlineData("_ok")]
    [InlineData("Näme1")]
    public void PropertyName_Valid_Passes(string name) =>
        FluentActions.Invoking(() => TableValidation.PropertyName(name, "e")).Should().NotThrow();

    [Theory]
    [InlineData("")]
    [InlineData("1a")]
    [InlineData("a-b")]
    [InlineData("a.b")]
    [InlineData("a@odata.type")]
    public void PropertyName_Invalid_Throws(string name) =>
        FluentActions.Invoking(() => TableValidation.PropertyName(name, "e")).Should().Throw<ArgumentException>();

    [Fact]
    public void PropertyName_Over255Characters_Throws() =>
        FluentActions.Invoking(() => TableValidation.PropertyName(new string('a', 256), "e")).Should().Throw<ArgumentException>();

    [Fact]
    public void Entity_PropertyCount_CountsSystemPropertiesAndIgnoresNulls()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i < 252; i++)
        {
            entity[$"P{i}"] = i;
        }

        entity["Null"] = null;
        FluentActions.Invoking(() => TableValidation.EntityForWrite(entity, "e")).Should().NotThrow();

        entity["OneMore"] = 1;
        FluentActions.Invoking(() => TableValidation.EntityForWrite(entity, "e")).Should().Throw<ArgumentException>()
            .WithMessage("The entity has 256 properties*");
    }

    [Fact]
    public void Entity_SizeEstimate_FollowsTheServiceFormula()
    {
        // 4 + 2×(1+1) + [8 + 2×1 + (4 + 2×3)] + [8 + 2×1 + 8] + [8 + 2×1 + 16] + [8 + 2×1 + (4 + 2)]
        var entity = new TableEntity("p", "r") { ["S"] = "abc", ["L"] = 1L, ["G"] = Guid.Empty, ["X"] = new byte[2] };

        TableValidation.EntityForWrite(entity, "e").Should().Be(8 + 20 + 18 + 26 + 16);
    }

    [Fact]
    public void Entity_Over1MiB_Throws()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i < 17; i++)
        {
            entity[$"S{i}"] = new string('x', 32 * 1024);
        }

        FluentActions.Invoking(() => TableValidation.EntityForWrite(entity, "e")).Should().Throw<ArgumentException>().WithMessage("*1 MiB*");
    }

    [Fact]
    public void Entity_ErrorsNeverContainTheValue()
    {
        var entity = new TableEntity("+447700900123/x", "r");

        FluentActions.Invoking(() => TableValidation.EntityForWrite(entity, "e")).Should().Throw<ArgumentException>()
            .Which.Message.Should().NotContain("447700900123");
    }
}

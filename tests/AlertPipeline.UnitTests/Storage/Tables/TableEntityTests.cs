using AlertPipeline.Infrastructure.Storage.Tables;

namespace AlertPipeline.UnitTests.Storage.Tables;

public class TableEntityTests
{
    [Fact]
    public void TypedGetters_ReturnValuesOfTheirType_AndNullWhenAbsent()
    {
        var id = Guid.NewGuid();
        var when = DateTimeOffset.UtcNow;
        var entity = new TableEntity("p", "r")
        {
            ["S"] = "s", ["B"] = true, ["I"] = 1, ["L"] = 2L, ["D"] = 3.5, ["T"] = when, ["G"] = id, ["X"] = new byte[] { 1 },
        };

        entity.GetString("S").Should().Be("s");
        entity.GetBoolean("B").Should().BeTrue();
        entity.GetInt32("I").Should().Be(1);
        entity.GetInt64("L").Should().Be(2L);
        entity.GetDouble("D").Should().Be(3.5);
        entity.GetDateTimeOffset("T").Should().Be(when);
        entity.GetGuid("G").Should().Be(id);
        entity.GetBinary("X").Should().Equal(1);
        entity.GetString("Missing").Should().BeNull();
        entity.GetInt32("Missing").Should().BeNull();
        entity["Missing"].Should().BeNull();
    }

    [Fact]
    public void TypedGetter_WrongStoredType_ThrowsInvalidOperationNamingBothTypes()
    {
        var entity = new TableEntity("p", "r") { ["N"] = 5 };

        entity.Invoking(e => e.GetInt64("N")).Should().Throw<InvalidOperationException>()
            .WithMessage("Property 'N' holds an Edm.Int32 value, not an Edm.Int64.");
        entity.Invoking(e => e.GetString("N")).Should().Throw<InvalidOperationException>().WithMessage("*'N'*Edm.String*");
        entity.Invoking(e => e.GetDateTimeOffset("N")).Should().Throw<InvalidOperationException>().WithMessage("*'N'*Edm.DateTime*");
    }

    [Fact]
    public void UnsupportedValueType_IsRejectedWhenSet()
    {
        var entity = new TableEntity("p", "r");

        entity.Invoking(e => e["Money"] = 1.5m).Should().Throw<ArgumentException>().WithMessage("*'Money'*Decimal*");
        entity.Invoking(e => e["PartitionKey"] = 5).Should().Throw<ArgumentException>().WithMessage("PartitionKey must be a string*");
        entity.Invoking(e => e.Add("F", 1.5f)).Should().Throw<ArgumentException>().WithMessage("*'F'*Single*");
    }

    [Fact]
    public void Keys_MissingKey_ThrowsClearError()
    {
        var entity = new TableEntity { ["A"] = 1 };

        entity.Invoking(e => e.PartitionKey).Should().Throw<InvalidOperationException>().WithMessage("*no PartitionKey*");
        entity.Invoking(e => e.RowKey).Should().Throw<InvalidOperationException>().WithMessage("*no RowKey*");
    }

    [Fact]
    public void ToString_ShowsKeysButNoValues()
    {
        var entity = new TableEntity("p", "r") { ["Phone"] = "+447700900123" };

        entity.ToString().Should().Contain("p").And.Contain("r").And.NotContain("+447700900123");
    }
}

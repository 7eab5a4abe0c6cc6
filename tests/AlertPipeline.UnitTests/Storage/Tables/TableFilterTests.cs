using AlertPipeline.Infrastructure.Storage.Tables;

namespace AlertPipeline.UnitTests.Storage.Tables;

public class TableFilterTests
{
    [Fact]
    public void Create_FormatsEveryTypeAsAnODataLiteral()
    {
        var when = new DateTimeOffset(2024, 1, 2, 5, 4, 5, TimeSpan.FromHours(2)).AddTicks(1);
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

        var filter = TableFilter.Create(
            $"S eq {"a"} and B eq {true} and I eq {-3} and L eq {123L} and D eq {2.5} and W eq {2.0} and T ge {when} and G eq {id} and X eq {new byte[] { 0, 171, 255 }}");

        filter.Should().Be(
            "S eq 'a' and B eq true and I eq -3 and L eq 123L and D eq 2.5 and W eq 2.0 and " +
            "T ge datetime'2024-01-02T03:04:05.0000001Z' and G eq guid'0f8fad5b-d9cb-469f-a165-70867728950e' and X eq X'00abff'");
    }

    [Theory]
    [InlineData("O'Brien", "Name eq 'O''Brien'")]
    [InlineData("x' or PartitionKey ne 'x", "Name eq 'x'' or PartitionKey ne ''x'")]
    [InlineData("''", "Name eq ''''''")]
    [InlineData("a or b", "Name eq 'a or b'")]
    public void Create_StringWithQuotes_IsOneLiteralThatCannotEscape(string value, string expected) =>
        TableFilter.Create($"Name eq {value}").Should().Be(expected);

    [Fact]
    public void Create_InvariantCulture_EvenUnderACommaDecimalCulture()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            TableFilter.Create($"D gt {1.5}").Should().Be("D gt 1.5");
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Create_NullOrUnsupportedArgument_Throws()
    {
        string? missing = null;

        FluentActions.Invoking(() => TableFilter.Create($"A eq {missing}")).Should().Throw<ArgumentException>().WithMessage("*argument 0 is null*");
        FluentActions.Invoking(() => TableFilter.Create($"A eq {1.5m}")).Should().Throw<ArgumentException>().WithMessage("*Decimal*");
        FluentActions.Invoking(() => TableFilter.Create($"A eq {double.NaN}")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => TableFilter.Create($"A eq {new DateTime(2024, 1, 1)}")).Should().Throw<ArgumentException>().WithMessage("*unspecified*");
    }

    [Fact]
    public void Helpers_QuoteAndParenthesize()
    {
        TableFilter.PartitionKeyEquals("it's").Should().Be("PartitionKey eq 'it''s'");
        TableFilter.RowKeyEquals("r").Should().Be("RowKey eq 'r'");
        TableFilter.And("A eq 1", TableFilter.Or("B eq 2", "C eq 3")).Should().Be("(A eq 1) and ((B eq 2) or (C eq 3))");
        TableFilter.And("A eq 1").Should().Be("A eq 1");
        TableFilter.RowKeyStartsWith("alert|").Should().Be("RowKey ge 'alert|' and RowKey lt 'alert}'");
    }
}

using System.Text;
using AlertPipeline.Infrastructure.Storage.Tables;
using Azure;

namespace AlertPipeline.UnitTests.Storage.Tables;

public class TableEntityJsonTests
{
    private static string Json(string name, object? value)
    {
        var entity = new TableEntity("p", "r") { [name] = value };
        return Encoding.UTF8.GetString(TableEntityJson.Serialize(entity));
    }

    private static string Body(string properties) => "{\"PartitionKey\":\"p\",\"RowKey\":\"r\"" + properties + "}";

    public static TheoryData<object?, string> Written => new()
    {
        { "Ana", ",\"V\":\"Ana\"" },
        { "O'Brien \"q\" <&> é ☎", ",\"V\":\"O'Brien \\\"q\\\" <&> é ☎\"" },
        { "line\nbreak", ",\"V\":\"line\\nbreak\"" },
        { string.Empty, ",\"V\":\"\"" },
        { true, ",\"V\":true" },
        { false, ",\"V\":false" },
        { 42, ",\"V\":42" },
        { -2147483648, ",\"V\":-2147483648" },
        { 5L, ",\"V\":\"5\",\"V@odata.type\":\"Edm.Int64\"" },
        { long.MaxValue, ",\"V\":\"9223372036854775807\",\"V@odata.type\":\"Edm.Int64\"" },
        { long.MinValue, ",\"V\":\"-9223372036854775808\",\"V@odata.type\":\"Edm.Int64\"" },
        { 0.25, ",\"V\":0.25" },
        { -1.5e-7, ",\"V\":-1.5E-07" },
        { 2.0, ",\"V\":2,\"V@odata.type\":\"Edm.Double\"" },
        { 0.0, ",\"V\":0,\"V@odata.type\":\"Edm.Double\"" },
        { 1e300, ",\"V\":1E+300,\"V@odata.type\":\"Edm.Double\"" },
        { double.NaN, ",\"V\":\"NaN\",\"V@odata.type\":\"Edm.Double\"" },
        { double.PositiveInfinity, ",\"V\":\"Infinity\",\"V@odata.type\":\"Edm.Double\"" },
        { double.NegativeInfinity, ",\"V\":\"-Infinity\",\"V@odata.type\":\"Edm.Double\"" },
        {
            new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567),
            ",\"V\":\"2024-01-02T03:04:05.1234567Z\",\"V@odata.type\":\"Edm.DateTime\""
        },
        {
            new DateTimeOffset(2024, 1, 2, 5, 4, 5, TimeSpan.FromHours(2)),
            ",\"V\":\"2024-01-02T03:04:05.0000000Z\",\"V@odata.type\":\"Edm.DateTime\""
        },
        {
            new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc),
            ",\"V\":\"2024-01-02T03:04:05.0000000Z\",\"V@odata.type\":\"Edm.DateTime\""
        },
        {
            Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
            ",\"V\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"V@odata.type\":\"Edm.Guid\""
        },
        { new byte[] { 0, 1, 2, 250, 255 }, ",\"V\":\"AAEC+v8=\",\"V@odata.type\":\"Edm.Binary\"" },
        { Array.Empty<byte>(), ",\"V\":\"\",\"V@odata.type\":\"Edm.Binary\"" },
        { null, string.Empty },
    };

    [Theory]
    [MemberData(nameof(Written))]
    public void Serialize_EachType_WritesTheSdkWireForm(object? value, string expected) =>
        Json("V", value).Should().Be(Body(expected));

    [Fact]
    public void Serialize_KeysFirst_TimestampAndETagNeverWritten_InsertionOrderKept()
    {
        var entity = new TableEntity { ["B"] = 1, ["RowKey"] = "r", ["A"] = 2, ["PartitionKey"] = "p" };
        entity.Timestamp = DateTimeOffset.UtcNow;
        entity.ETag = new ETag("W/\"x\"");

        Encoding.UTF8.GetString(TableEntityJson.Serialize(entity)).Should().Be(Body(",\"B\":1,\"A\":2"));
    }

    [Fact]
    public void ReadEntity_SdkJsonWithAnnotationsBeforeOrAfter_RestoresTypes()
    {
        const string json = """
            {"odata.metadata":"http://x/$metadata#t/@Element","odata.etag":"W/\"datetime'2024-01-02T03%3A04%3A05.1Z'\"",
             "PartitionKey":"p","RowKey":"r",
             "Timestamp":"2024-05-06T07:08:09.1234567Z",
             "Big@odata.type":"Edm.Int64","Big":"-9223372036854775808",
             "When":"2024-01-02T03:04:05.1234567Z","When@odata.type":"Edm.DateTime",
             "Id@odata.type":"Edm.Guid","Id":"0f8fad5b-d9cb-469f-a165-70867728950e",
             "Bytes":"AAEC+v8=","Bytes@odata.type":"Edm.Binary",
             "Empty":"","Empty@odata.type":"Edm.Binary",
             "WholeAnnotated@odata.type":"Edm.Double","WholeAnnotated":2,
             "WholeAzurite":2.0,
             "Nan":"NaN","Nan@odata.type":"Edm.Double",
             "NegInf":"-Infinity","NegInf@odata.type":"Edm.Double",
             "Ratio":0.25,"Exp":1E+300,"Count":7,"On":false,"Name":"Ana","Gone":null}
            """;

        var entity = TableEntityJson.ReadEntity(Encoding.UTF8.GetBytes(json));

        entity.ETag.Should().Be(new ETag("W/\"datetime'2024-01-02T03%3A04%3A05.1Z'\""));
        entity.PartitionKey.Should().Be("p");
        entity.RowKey.Should().Be("r");
        entity.Timestamp.Should().Be(new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1234567));
        entity["Big"].Should().Be(long.MinValue);
        entity["When"].Should().Be(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567));
        entity["Id"].Should().Be(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"));
        entity.GetBinary("Bytes").Should().Equal(0, 1, 2, 250, 255);
        entity.GetBinary("Empty").Should().BeEmpty();
        entity["WholeAnnotated"].Should().Be(2.0);
        entity["WholeAzurite"].Should().Be(2.0);
        entity.GetDouble("Nan").Should().Be(double.NaN);
        entity.GetDouble("NegInf").Should().Be(double.NegativeInfinity);
        entity["Ratio"].Should().Be(0.25);
        entity["Exp"].Should().Be(1e300);
        entity["Count"].Should().Be(7);
        entity["On"].Should().Be(false);
        entity["Name"].Should().Be("Ana");
        entity.ContainsKey("Gone").Should().BeFalse();
        entity.Keys.Should().NotContain(k => k.Contains('@') || k.StartsWith("odata.", StringComparison.Ordinal));
    }

    [Fact]
    public void RoundTrip_EveryType_ThroughOurOwnWriterAndReader()
    {
        var entity = new TableEntity("p", "r")
        {
            ["S"] = "s", ["B"] = true, ["I"] = int.MinValue, ["L"] = long.MaxValue, ["D"] = 3.0, ["F"] = 0.1,
            ["N"] = double.NaN, ["T"] = DateTimeOffset.MaxValue, ["G"] = Guid.NewGuid(), ["X"] = new byte[] { 9 },
        };

        var read = TableEntityJson.ReadEntity(TableEntityJson.Serialize(entity));

        read.Should().BeEquivalentTo(entity, o => o.Excluding(e => e.ETag));
        foreach (var key in entity.Keys)
        {
            read[key]!.GetType().Should().Be(entity[key]!.GetType(), key);
        }
    }

    [Fact]
    public void ReadEntities_QueryResponse_ReadsEveryItem()
    {
        var json = """{"odata.metadata":"m","value":[{"PartitionKey":"p","RowKey":"1"},{"PartitionKey":"p","RowKey":"2","N":1}]}""";

        var entities = TableEntityJson.ReadEntities(Encoding.UTF8.GetBytes(json));

        entities.Select(e => e.RowKey).Should().Equal("1", "2");
        entities[1].GetInt32("N").Should().Be(1);
    }

    [Theory]
    [InlineData("""{"PartitionKey":"p","RowKey":"r","X":"abc","X@odata.type":"Edm.Int64"}""", "*'X'*Edm.Int64*")]
    [InlineData("""{"PartitionKey":"p","RowKey":"r","X":"1","X@odata.type":"Edm.Decimal"}""", "*'X'*Edm.Decimal*")]
    [InlineData("""{"PartitionKey":"p","RowKey":"r","X":[1]}""", "*'X'*Array*")]
    public void ReadEntity_BadValue_ThrowsFormatExceptionNamingTheProperty(string json, string message)
    {
        var act = () => TableEntityJson.ReadEntity(Encoding.UTF8.GetBytes(json));

        act.Should().Throw<FormatException>().WithMessage(message);
    }
}

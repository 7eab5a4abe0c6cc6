using System.Text;
using AlertPipeline.Infrastructure.Storage.Tables;
using Azure.Core;

namespace AlertPipeline.IntegrationTests.Storage.Tables;

public class TableEntityTypeTests : TableTestBase
{
    public static TheoryData<string, object> Values => new()
    {
        { "string", "héllo 'wörld' \"quoted\" \n line" },
        { "empty string", string.Empty },
        { "max string", new string('x', 32 * 1024) },
        { "bool true", true },
        { "bool false", false },
        { "int", 42 },
        { "int min", int.MinValue },
        { "int max", int.MaxValue },
        { "long small", 5L },
        { "long max", long.MaxValue },
        { "long min", long.MinValue },
        { "double fraction", 2.5 },
        { "double whole", 2.0 },
        { "double zero", 0.0 },
        { "double big whole", 1e300 },
        { "double max", double.MaxValue },
        { "double epsilon", double.Epsilon },
        { "double negative", -123.456e-7 },
        { "double NaN", double.NaN },
        { "double +inf", double.PositiveInfinity },
        { "double -inf", double.NegativeInfinity },
        { "date ticks", new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567) },
        { "date min", new DateTimeOffset(1601, 1, 1, 0, 0, 0, TimeSpan.Zero) },
        { "date max", DateTimeOffset.MaxValue },
        { "guid", Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e") },
        { "guid empty", Guid.Empty },
        { "binary", new byte[] { 0, 1, 2, 250, 255 } },
        { "binary empty", Array.Empty<byte>() },
        { "binary max", Enumerable.Range(0, 64 * 1024).Select(i => (byte)i).ToArray() },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public async Task EveryType_RoundTripsWithItsType(string label, object value)
    {
        await Table.AddEntityAsync(Entity("p", "r", ("V", value)));

        var read = await Table.GetEntityAsync("p", "r");
        var queried = (await AllAsync()).Single();

        foreach (var entity in new[] { read, queried })
        {
            entity["V"].Should().NotBeNull(label);
            entity["V"]!.GetType().Should().Be(value.GetType(), label);
            entity["V"].Should().BeEquivalentTo(value, label);
        }
    }

    [Fact]
    public async Task DoubleWholeNumber_ComesBackAsDouble_NotInt32()
    {
        await Table.AddEntityAsync(Entity("p", "r", ("D", 2.0), ("I", 2)));

        var read = await Table.GetEntityAsync("p", "r");

        read.GetDouble("D").Should().Be(2.0);
        read.GetInt32("I").Should().Be(2);
        var act = () => read.GetInt32("D");
        act.Should().Throw<InvalidOperationException>().WithMessage("*'D'*Edm.Double*Edm.Int32*");
    }

    [Fact]
    public async Task DateTimeWithOffset_IsStoredAsTheSameInstantInUtc()
    {
        var local = new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.FromHours(2)).AddTicks(1);
        var utcDateTime = new DateTime(2024, 6, 1, 10, 0, 0, DateTimeKind.Utc);
        await Table.AddEntityAsync(Entity("p", "r", ("Local", local), ("Utc", utcDateTime)));

        var read = await Table.GetEntityAsync("p", "r");

        read.GetDateTimeOffset("Local").Should().Be(local);
        read.GetDateTimeOffset("Local")!.Value.Offset.Should().Be(TimeSpan.Zero);
        read.GetDateTime("Utc").Should().Be(utcDateTime);
    }

    [Fact]
    public async Task NullProperty_IsAbsentOnRead()
    {
        await Table.AddEntityAsync(Entity("p", "r", ("Present", "x"), ("Missing", null)));

        var read = await Table.GetEntityAsync("p", "r");

        read.ContainsKey("Missing").Should().BeFalse();
        read.GetString("Missing").Should().BeNull();
        read.GetInt64("Missing").Should().BeNull();
        read.GetBinary("Missing").Should().BeNull();
        read.Keys.Should().BeEquivalentTo("PartitionKey", "RowKey", "Timestamp", "Present");
    }

    [Fact]
    public async Task WireCompatibility_LiteralSdkJson_ReadsBackWithCorrectTypes()
    {
        // Exactly what Azure.Data.Tables / @azure/data-tables put on the wire for these values.
        const string json = """
            {"PartitionKey":"p","RowKey":"r",
             "Big":"9223372036854775807","Big@odata.type":"Edm.Int64",
             "When":"2024-01-02T03:04:05.1234567Z","When@odata.type":"Edm.DateTime",
             "Id":"0f8fad5b-d9cb-469f-a165-70867728950e","Id@odata.type":"Edm.Guid",
             "Bytes":"AAEC+v8=","Bytes@odata.type":"Edm.Binary",
             "Whole":2,"Whole@odata.type":"Edm.Double",
             "Nan":"NaN","Nan@odata.type":"Edm.Double",
             "Inf":"Infinity","Inf@odata.type":"Edm.Double",
             "Ratio":0.25,"Count":7,"On":true,"Name":"Ana"}
            """;
        var rest = TableRestClient.ForConnectionString(Azurite.ConnectionString, null);
        using (var message = rest.CreateMessage(RequestMethod.Post, rest.TableUrl(Table.Name), Encoding.UTF8.GetBytes(json)))
        {
            message.Request.Headers.SetValue("Prefer", "return-no-content");
            (await rest.SendAsync(message, CancellationToken.None)).Status.Should().Be(204);
        }

        var read = await Table.GetEntityAsync("p", "r");

        read.GetInt64("Big").Should().Be(long.MaxValue);
        read.GetDateTimeOffset("When").Should().Be(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567));
        read.GetGuid("Id").Should().Be(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"));
        read.GetBinary("Bytes").Should().Equal(0, 1, 2, 250, 255);
        read.GetDouble("Whole").Should().Be(2.0);
        read.GetDouble("Nan").Should().Be(double.NaN);
        read.GetDouble("Inf").Should().Be(double.PositiveInfinity);
        read.GetDouble("Ratio").Should().Be(0.25);
        read.GetInt32("Count").Should().Be(7);
        read.GetBoolean("On").Should().BeTrue();
        read.GetString("Name").Should().Be("Ana");
    }

    [Fact]
    public async Task WireCompatibility_OurJson_IsTheSdkShape_AndTheServiceTypesItAsSent()
    {
        var entity = Entity(
            "p",
            "r",
            ("Name", "Ana"),
            ("On", true),
            ("Count", 7),
            ("Big", long.MaxValue),
            ("Ratio", 0.25),
            ("Whole", 2.0),
            ("When", new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567)),
            ("Id", Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e")),
            ("Bytes", new byte[] { 0, 1, 2, 250, 255 }),
            ("Nothing", null));

        await Table.AddEntityAsync(entity);

        var sent = Encoding.UTF8.GetString(Requests.All.Single().Body!);
        sent.Should().Be(
            """
            {"PartitionKey":"p","RowKey":"r","Name":"Ana","On":true,"Count":7,
            "Big":"9223372036854775807","Big@odata.type":"Edm.Int64","Ratio":0.25,
            "Whole":2,"Whole@odata.type":"Edm.Double",
            "When":"2024-01-02T03:04:05.1234567Z","When@odata.type":"Edm.DateTime",
            "Id":"0f8fad5b-d9cb-469f-a165-70867728950e","Id@odata.type":"Edm.Guid",
            "Bytes":"AAEC+v8=","Bytes@odata.type":"Edm.Binary"}
            """.ReplaceLineEndings(string.Empty));

        // What the service stored, as raw minimal-metadata JSON: the types an SDK reader will see.
        var rest = TableRestClient.ForConnectionString(Azurite.ConnectionString, null);
        using var message = rest.CreateMessage(RequestMethod.Get, rest.EntityUrl(Table.Name, "p", "r"));
        var raw = (await rest.SendAsync(message, CancellationToken.None)).Content.ToString();
        raw.Should().Contain("\"Big@odata.type\":\"Edm.Int64\"")
            .And.Contain("\"Big\":\"9223372036854775807\"")
            .And.Contain("\"When@odata.type\":\"Edm.DateTime\"")
            .And.Contain("\"When\":\"2024-01-02T03:04:05.1234567Z\"")
            .And.Contain("\"Id@odata.type\":\"Edm.Guid\"")
            .And.Contain("\"Bytes@odata.type\":\"Edm.Binary\"")
            .And.NotContain("Nothing");
        (raw.Contains("\"Whole\":2.0", StringComparison.Ordinal) || raw.Contains("\"Whole@odata.type\":\"Edm.Double\"", StringComparison.Ordinal))
            .Should().BeTrue("a whole double must come back typed as a double (Azurite writes 2.0, Azure annotates it)");
    }
}

using System.Text;
using AlertPipeline.LocalHost.Grpc;
using AlertPipeline.LocalHost.Grpc.Messages;
using Google.Protobuf;

namespace AlertPipeline.UnitTests.LocalHost.Grpc;

public sealed class GrpcInvocationOutputsTests
{
    private static List<string> Texts(TypedData? value) =>
        [.. GrpcInvocationOutputs.Expand(value).Select(m => Encoding.UTF8.GetString(m.Span))];

    [Fact]
    public void Expand_String_OneMessageWithTheText() =>
        Texts(new TypedData { String = "hello" }).Should().Equal("hello");

    [Fact]
    public void Expand_StringHoldingAJsonArray_OneMessagePerElement() =>
        Texts(new TypedData { String = """["a",{"b":1}]""" }).Should().Equal("a", """{"b":1}""");

    [Fact]
    public void Expand_JsonArrayOfObjects_OneMessagePerElementAsJson() =>
        Texts(new TypedData { Json = """[{"Index":0},{"Index":1},null]""" }).Should().Equal("""{"Index":0}""", """{"Index":1}""");

    [Fact]
    public void Expand_JsonArrayOfStrings_OneMessagePerElementAsText() =>
        Texts(new TypedData { Json = """["m1-a","m1-b"]""" }).Should().Equal("m1-a", "m1-b");

    [Fact]
    public void Expand_JsonObject_OneMessageWithItsJson() =>
        Texts(new TypedData { Json = """{"a":1}""" }).Should().Equal("""{"a":1}""");

    [Fact]
    public void Expand_JsonString_TheStringsText() =>
        Texts(new TypedData { Json = "\"quoted\"" }).Should().Equal("quoted");

    [Fact]
    public void Expand_Bytes_AsTheyAre() =>
        GrpcInvocationOutputs.Expand(new TypedData { Bytes = ByteString.CopyFrom(1, 2, 3) }).Single().ToArray().Should().Equal(1, 2, 3);

    [Fact]
    public void Expand_CollectionString_OneMessagePerElement()
    {
        var value = new TypedData { CollectionString = new CollectionString() };
        value.CollectionString.String.Add(["x", "y"]);
        Texts(value).Should().Equal("x", "y");
    }

    [Fact]
    public void Expand_NullEmptyOrHttp_NoMessage()
    {
        Texts(null).Should().BeEmpty();
        Texts(new TypedData()).Should().BeEmpty();
        Texts(new TypedData { Json = "null" }).Should().BeEmpty();
        Texts(new TypedData { Http = new RpcHttp() }).Should().BeEmpty();
    }

    [Fact]
    public void GetOutputMessages_ReturnFromReturnValue_OthersFromOutputDataByName()
    {
        var response = new InvocationResponse { ReturnValue = new TypedData { String = "returned" } };
        response.OutputData.Add(new ParameterBinding { Name = "Observed", Data = new TypedData { String = "property" } });
        var outputs = new GrpcInvocationOutputs(response);

        Encoding.UTF8.GetString(outputs.GetOutputMessages("$return", binary: false).Single().Span).Should().Be("returned");
        Encoding.UTF8.GetString(outputs.GetOutputMessages("observed", binary: false).Single().Span).Should().Be("property", "binding names match case-insensitively");
        outputs.GetOutputMessages("missing", binary: false).Should().BeEmpty();
    }
}

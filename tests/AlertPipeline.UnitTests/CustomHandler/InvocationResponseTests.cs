using System.Text;
using System.Text.Json;
using AlertPipeline.CustomHandler;

namespace AlertPipeline.UnitTests.CustomHandler;

public sealed class InvocationResponseTests
{
    [Fact]
    public void ToJson_BuiltResponse_UsesTheHostsCasing()
    {
        var json = new InvocationResponseBuilder().AddOutput("sms", new Dispatch("d1")).Log("one").Build().ToJson();

        using var document = JsonDocument.Parse(json);
        document.RootElement.EnumerateObject().Select(p => p.Name).Should().Equal("Outputs", "Logs", "ReturnValue");
        document.RootElement.GetProperty("Logs")[0].GetString().Should().Be("one");
        document.RootElement.GetProperty("ReturnValue").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public void Build_OneMessage_IsAnObject()
    {
        var response = new InvocationResponseBuilder().AddOutput("sms", new Dispatch("d1")).Build();

        response.Outputs["sms"].ValueKind.Should().Be(JsonValueKind.Object);
        response.Outputs["sms"].GetProperty("deliveryId").GetString().Should().Be("d1");
    }

    [Fact]
    public void Build_SeveralMessages_IsAnArrayOfObjects()
    {
        var response = new InvocationResponseBuilder().AddOutputs("sms", [new Dispatch("d1"), new Dispatch("d2")]).Build();

        var output = response.Outputs["sms"];
        output.ValueKind.Should().Be(JsonValueKind.Array);
        output.EnumerateArray().Select(e => e.GetProperty("deliveryId").GetString()).Should().Equal("d1", "d2");
    }

    [Fact]
    public void Build_NoMessages_HasNoOutput()
    {
        var response = new InvocationResponseBuilder().AddOutputs("sms", Array.Empty<Dispatch>()).Build();

        response.Outputs.Should().BeEmpty();
    }

    [Theory]
    [InlineData("test")]
    [InlineData(42)]
    public void AddOutput_NotAnObject_IsRefused(object value)
    {
        var act = () => new InvocationResponseBuilder().AddOutput("sms", value);

        act.Should().Throw<ArgumentException>().WithMessage("Output 'sms' must serialise to a JSON object*");
    }

    [Fact]
    public void Parse_HostReadsCaseInsensitively()
    {
        var response = InvocationResponse.Parse("""{"outputs":{"q":{"a":1}},"logs":["x"],"returnValue":null}""");

        response.Outputs.Should().ContainKey("q");
        response.Logs.Should().Equal("x");
    }

    [Fact]
    public void GetOutputMessages_Array_OneMessagePerElement()
    {
        var response = InvocationResponse.Parse("""{"Outputs":{"q":[{"a":1},{"a":2}]}}""");

        response.GetOutputMessages("q").Select(m => m.Text).Should().Equal("""{"a":1}""", """{"a":2}""");
    }

    [Fact]
    public void GetOutputMessages_StringHoldingAJsonArray_IsSplitToo()
    {
        var response = InvocationResponse.Parse("""{"Outputs":{"q":"[{\"a\":1},{\"a\":2}]"}}""");

        response.GetOutputMessages("q").Select(m => m.Text).Should().Equal("""{"a":1}""", """{"a":2}""");
    }

    [Fact]
    public void GetOutputMessages_StringThatIsValidBase64_IsDecodedLikeTheHostDoes()
    {
        // "test" is valid base64: the host writes the bytes b5 eb 2d, not the word.
        var response = InvocationResponse.Parse("""{"Outputs":{"q":"test"}}""");

        response.GetOutputMessages("q").Single().Body.ToArray().Should().Equal(Convert.FromBase64String("test"));
    }

    [Fact]
    public void GetOutputMessages_StringThatIsNotBase64_IsItsText()
    {
        var response = InvocationResponse.Parse("""{"Outputs":{"q":"hello world"}}""");

        response.GetOutputMessages("q").Single().Text.Should().Be("hello world");
    }

    [Fact]
    public void GetOutputMessages_MissingOrNull_IsEmpty()
    {
        var response = InvocationResponse.Parse("""{"Outputs":{"q":null}}""");

        response.GetOutputMessages("q").Should().BeEmpty();
        response.GetOutputMessages("other").Should().BeEmpty();
    }

    [Fact]
    public void GetOutputMessages_Return_UsesReturnValue()
    {
        var response = new InvocationResponseBuilder().ReturnValue(new Dispatch("r")).Build();

        response.GetOutputMessages("$return").Single().Text.Should().Be("""{"deliveryId":"r"}""");
    }

    [Fact]
    public void InvocationError_RoundTrips()
    {
        var json = new InvocationError { Function = "FanOut", InvocationId = "i1", Error = "why" }.ToJson();

        json.Should().Be("""{"Function":"FanOut","InvocationId":"i1","Error":"why"}""");
        InvocationError.TryParse(json)!.Error.Should().Be("why");
        InvocationError.TryParse("""{"Outputs":{}}""").Should().BeNull();
    }

    [Fact]
    public void OutputMessage_Text_IsUtf8()
    {
        new OutputMessage(Encoding.UTF8.GetBytes("é")).Text.Should().Be("é");
    }

    private sealed record Dispatch(string DeliveryId);
}

using System.Text;
using System.Text.Json;
using AlertPipeline.CustomHandler;
using AlertPipeline.LocalHost.Queues;

namespace AlertPipeline.UnitTests.LocalHost;

public sealed class OutputWriterTests
{
    private static IReadOnlyList<string> Wire(string outputJson, bool base64 = true) =>
        OutputMessages.Expand(JsonDocument.Parse(outputJson).RootElement).Select(m => OutputWriter.ToWireText(m.Body.Span, base64)).ToList();

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void ToWireText_Object_Base64OfItsJson() =>
        Wire("""{"a":1}""").Should().Equal(B64("""{"a":1}"""));

    [Fact]
    public void ToWireText_Array_OneMessagePerElement() =>
        Wire("""[{"i":0},{"i":1},"plain words"]""").Should().Equal(B64("""{"i":0}"""), B64("""{"i":1}"""), B64("plain words"));

    [Fact]
    public void ToWireText_StringThatIsValidBase64_DecodedFirstLikeTheHost()
    {
        // "hello123" is valid base64: the host decodes it to 6 bytes and the queue gets base64 of those bytes, i.e. the
        // same text: a trigger on that queue then reads the decoded bytes, not "hello123".
        var wire = Wire("\"hello123\"").Should().ContainSingle().Subject;

        wire.Should().Be("hello123");
        Convert.FromBase64String(wire).Should().Equal(Convert.FromBase64String("hello123"));
    }

    [Fact]
    public void ToWireText_NoneEncoding_TextAsIs() =>
        Wire("""{"a":"b"}""", base64: false).Should().Equal("""{"a":"b"}""");

    [Fact]
    public void ToWireText_Null_NoMessage() => Wire("null").Should().BeEmpty();
}

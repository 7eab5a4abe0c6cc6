using System.Text;
using AlertPipeline.LocalHost.Queues;

namespace AlertPipeline.UnitTests.LocalHost;

public sealed class OutputWriterTests
{
    private static string Wire(string body, bool base64 = true) => OutputWriter.ToWireText(Encoding.UTF8.GetBytes(body), base64);

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void ToWireText_Object_Base64OfItsJson() =>
        Wire("""{"a":1}""").Should().Be(B64("""{"a":1}"""));

    [Fact]
    public void ToWireText_NoneEncoding_TextAsIs() =>
        Wire("""{"a":"b"}""", base64: false).Should().Be("""{"a":"b"}""");
}

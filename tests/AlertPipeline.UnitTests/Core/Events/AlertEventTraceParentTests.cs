using System.Text.Json.Nodes;
using AlertPipeline.Core.Events;
using AlertPipeline.Testing;

namespace AlertPipeline.UnitTests.Core.Events;

/// <summary>The event's optional <c>traceparent</c> (docs/observability.md): carried, read cheaply, never a reason to reject.</summary>
public class AlertEventTraceParentTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static readonly string Demo = File.ReadAllText(RepositoryPaths.Combine("demo", "zhanaozen-event.json"));

    [Fact]
    public void Parse_EventWithTraceParent_IsValid()
    {
        var json = With(TraceParent);

        AlertEventParser.Parse(json).Errors.Should().BeEmpty();
        AlertEventParser.TraceParentOf(json).Should().Be(TraceParent);
    }

    [Fact]
    public void Parse_TraceParentNotAString_NamesTheField()
    {
        var node = JsonNode.Parse(Demo)!.AsObject();
        node["traceparent"] = 42;

        AlertEventParser.Parse(node.ToJsonString()).Errors.Select(e => e.ToString()).Should().ContainSingle().Which.Should().StartWith("$.traceparent: must be a string");
    }

    [Fact]
    public void Parse_MalformedTraceParentValue_IsNotAnError()
    {
        AlertEventParser.Parse(With("not-a-trace")).Errors.Should().BeEmpty("a bad trace header never stops an alert");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"variables":{"traceparent":"x"}}""")]
    [InlineData("""{"traceparent":{"nested":"x"}}""")]
    public void TraceParentOf_NoTopLevelString_IsNull(string json)
    {
        AlertEventParser.TraceParentOf(json).Should().BeNull();
    }

    [Fact]
    public void TraceParentOf_AfterNestedObjects_FindsIt()
    {
        AlertEventParser.TraceParentOf($$"""{"a":{"b":[1,{"traceparent":"inner"}]},"traceparent":"{{TraceParent}}"}""").Should().Be(TraceParent);
    }

    [Fact]
    public void Serialize_WithTraceParent_WritesItAndReadsBack()
    {
        var alertEvent = AlertEventParser.Parse(Demo).Value;

        var json = AlertEventSerializer.Serialize(alertEvent, traceParent: TraceParent);

        AlertEventParser.TraceParentOf(json).Should().Be(TraceParent);
        AlertEventSerializer.Serialize(AlertEventParser.Parse(json).Value).Should().Be(AlertEventSerializer.Serialize(alertEvent), "the trace context is not part of the event");
        AlertEventSerializer.Serialize(alertEvent).Should().NotContain("traceparent");
    }

    private static string With(string traceParent)
    {
        var node = JsonNode.Parse(Demo)!.AsObject();
        node["traceparent"] = traceParent;
        return node.ToJsonString();
    }
}

using System.Diagnostics;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Functions.Telemetry;

namespace AlertPipeline.UnitTests.Functions;

/// <summary>The pipeline's trace context helpers and the span processor that keeps personal data out of every exporter.</summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == PipelineTelemetry.Name,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public TelemetryTests() => ActivitySource.AddActivityListener(_listener);

    public void Dispose() => _listener.Dispose();

    [Theory]
    [InlineData("https://api.twilio.com/2010-04-01/Accounts/AC0123/Messages.json?To=%2B447700900101&PageSize=50", "https://api.twilio.com/2010-04-01/Accounts/AC0123/Messages.json?To=***&PageSize=50")]
    [InlineData("to +44 7700 900101 now", "to *** now")]
    [InlineData("mail aigul.seitkali@example.org", "mail ***@***")]
    public void Processor_NumberOrEmailInAnAttribute_IsMasked(string value, string expected)
    {
        using var activity = Started("x");
        activity.SetTag("url.full", value);

        new PersonalDataSpanProcessor().OnEnd(activity);

        activity.GetTagItem("url.full").Should().Be(expected);
    }

    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    [InlineData("zhanaozen-massacre-2026-12-16-week-before:sms:3f2a9c0012345678901234567890abcd")]
    [InlineData("2026-12-04T14:27:01.1234567+00:00")]
    [InlineData("SM0123456789abcdef0123456789abcdef")]
    [InlineData("http://127.0.0.1:54321/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json")]
    public void Processor_IdsTimesAndUrlsWithoutPersonalData_AreKept(string value)
    {
        using var activity = Started("x");
        activity.SetTag("alertpipeline.delivery_key", value);
        activity.SetStatus(ActivityStatusCode.Error, value);

        new PersonalDataSpanProcessor().OnEnd(activity);

        activity.GetTagItem("alertpipeline.delivery_key").Should().Be(value);
        activity.StatusDescription.Should().Be(value);
    }

    [Fact]
    public void StartConsumer_MessageWithTraceParent_ContinuesTheProducersTraceAndLinksTheInvocation()
    {
        using var invocation = Started("invocation");
        const string producer = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        using var consumer = PipelineTelemetry.StartConsumer(PipelineTelemetry.Spans.FanOutChunk, producer, QueueNames.FanOutChunks)!;

        consumer.TraceId.ToHexString().Should().Be("0af7651916cd43dd8448eb211c80319c");
        consumer.ParentSpanId.ToHexString().Should().Be("b7ad6b7169203331");
        consumer.Kind.Should().Be(ActivityKind.Consumer);
        consumer.Links.Should().ContainSingle().Which.Context.SpanId.Should().Be(invocation.SpanId);
        consumer.GetTagItem(PipelineTelemetry.Tags.Destination).Should().Be(QueueNames.FanOutChunks);
        PipelineTelemetry.CurrentTraceParent().Should().Be(consumer.Id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("00-00000000000000000000000000000000-0000000000000000-01")]
    public void StartConsumer_NoValidTraceParent_ContinuesTheCurrentSpan(string? traceParent)
    {
        using var invocation = Started("invocation");

        using var consumer = PipelineTelemetry.StartConsumer(PipelineTelemetry.Spans.FanOut, traceParent, QueueNames.AlertEvents)!;

        consumer.TraceId.Should().Be(invocation.TraceId);
        consumer.ParentSpanId.Should().Be(invocation.SpanId);
    }

    [Fact]
    public void StartContinuation_StoredTraceParent_IsTheParent()
    {
        using var request = Started("http");
        const string send = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        using var callback = PipelineTelemetry.StartContinuation(PipelineTelemetry.Spans.StatusCallback, send)!;

        callback.ParentId.Should().Be(send);
        callback.Links.Should().ContainSingle().Which.Context.SpanId.Should().Be(request.SpanId);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("Authorization=AAD", true)]
    [InlineData("Authorization=AAD;ClientId=00000000-0000-0000-0000-000000000001", true)]
    [InlineData("Authorization=Key", false)]
    public void AzureMonitorCredential_OnlyForAad(string? authentication, bool expected)
    {
        (TelemetryServiceCollectionExtensions.AzureMonitorCredential(authentication) is not null).Should().Be(expected);
    }

    private static Activity Started(string name) => PipelineTelemetry.Source.StartActivity(name)!;
}

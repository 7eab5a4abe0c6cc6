using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Events;
using AlertPipeline.Testing;

namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>An alert event as it goes on the queue, and the alert id the pipeline derives from it.</summary>
public sealed record TestEvent(string Body, AlertId AlertId);

/// <summary>Alert events for the tests (docs/events.md): a hearing two days ahead, so nothing is expired.</summary>
public static class TestEvents
{
    public static TestEvent Hearing(string eventId, string campaignId, string channels = "\"sms\"", string audience = "")
    {
        var body = HearingEvent.Json(eventId, campaignId, channels, audience);
        var parsed = AlertEventParser.Parse(body);
        parsed.IsSuccess.Should().BeTrue(parsed.ToString());
        return new TestEvent(body, AlertId.For(parsed.Value));
    }
}

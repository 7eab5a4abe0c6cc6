using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Messaging;
using AlertPipeline.LocalHost.Demo;
using NodaTime;

namespace AlertPipeline.UnitTests.LocalHost.Demo;

public class DeliveryReportTests
{
    private static readonly AlertId Alert = AlertId.Parse("0123456789abcdef0123456789abcdef");
    private static int _next;

    [Fact]
    public void Add_CountsStatusesReasonsSegmentsAndLanguages()
    {
        var report = new DeliveryReport(Alert);

        report.Add(Row(Channel.Sms, DeliveryStatus.Sent) with { Encoding = SmsEncodingKind.Ucs2, Segments = 3, Language = LanguageTag.Parse("ru") });
        report.Add(Row(Channel.Sms, DeliveryStatus.Delivered) with { Encoding = SmsEncodingKind.Gsm7, Segments = 1, Language = LanguageTag.Parse("en") });
        report.Add(Row(Channel.Sms, DeliveryStatus.Skipped) with { SkipReason = SkipReason.OptedOut });
        report.Add(Row(Channel.Sms, DeliveryStatus.Failed) with { FailureReason = FailureReason.InvalidNumber, ErrorCode = "21211", Encoding = SmsEncodingKind.Gsm7, Segments = 1 });
        report.Add(Row(Channel.Email, DeliveryStatus.Sent) with { Language = LanguageTag.Parse("ru") });
        report.Add(Row(Channel.Email, DeliveryStatus.Pending));

        report.Rows.Should().Be(6);
        report.Count(Channel.Sms).Should().Be(4);
        report.Count(Channel.Sms, DeliveryStatus.Sent).Should().Be(1);
        report.Skipped.Should().Equal(new Dictionary<(Channel, SkipReason), int> { [(Channel.Sms, SkipReason.OptedOut)] = 1 });
        report.Failed.Should().ContainKey((Channel.Sms, FailureReason.InvalidNumber, "21211"));
        report.Encodings[SmsEncodingKind.Ucs2].Should().Be((1, 3));
        report.Encodings[SmsEncodingKind.Gsm7].Should().Be((1, 1), "a refused send never reached a handset and has no provider id");
        report.TotalSegments.Should().Be(4);
        report.Languages[(Channel.Email, "ru")].Should().Be(1);
        report.Unsettled.Should().Be(1);
        report.IsSettled.Should().BeFalse();
    }

    [Fact]
    public void Add_DeferredRows_CountedApartAndNotUnsettled()
    {
        var report = new DeliveryReport(Alert);
        var morning = Instant.FromUtc(2026, 11, 23, 3, 0);

        report.Add(Row(Channel.Sms, DeliveryStatus.Pending) with { NotBefore = morning });
        report.Add(Row(Channel.Sms, DeliveryStatus.Sent) with { NotBefore = morning });
        report.Add(Row(Channel.Sms, DeliveryStatus.Sent));

        report.Deferred.Should().Be(1, "one row still waits for the morning");
        report.EverDeferred.Should().Be(2, "NotBefore stays on a row sent after its deferral");
        report.Unsettled.Should().Be(0);
        report.IsSettled.Should().BeTrue("a deferred row waits on purpose");
    }

    [Fact]
    public void Add_RowOfAnotherAlert_Throws()
    {
        var report = new DeliveryReport(AlertId.Parse("fedcba9876543210fedcba9876543210"));

        var act = () => report.Add(Row(Channel.Sms, DeliveryStatus.Sent));

        act.Should().Throw<ArgumentException>();
    }

    private static DeliveryRecord Row(Channel channel, DeliveryStatus status) => new()
    {
        Key = new DeliveryKey(Alert, channel, RecipientHash.Parse($"{Interlocked.Increment(ref _next):x32}")),
        Status = status,
        CreatedAt = Instant.FromUtc(2026, 11, 22, 5, 0),
    };
}

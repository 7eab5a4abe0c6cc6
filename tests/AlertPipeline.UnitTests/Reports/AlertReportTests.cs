using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Persistence;
using NodaTime;

namespace AlertPipeline.UnitTests.Reports;

public sealed class AlertReportTests
{
    [Fact]
    public void Build_MixedRows_CountsByChannelStatusFailureReasonAndSkip()
    {
        var builder = new AlertReportBuilder();
        builder.Add(ReportRows.Row("c1", Channel.Sms, DeliveryStatus.Delivered, segments: 2));
        builder.Add(ReportRows.Row("c2", Channel.Sms, DeliveryStatus.Failed, failure: FailureReason.Landline, errorCode: "30006", segments: 1));
        builder.Add(ReportRows.Row("c3", Channel.Sms, DeliveryStatus.Failed, failure: FailureReason.Landline, errorCode: "30006", segments: 1));
        builder.Add(ReportRows.Row("c4", Channel.Sms, DeliveryStatus.Undelivered, failure: FailureReason.Unreachable, errorCode: "30003"));
        builder.Add(ReportRows.Row("c5", Channel.Sms, DeliveryStatus.Skipped, skip: SkipReason.OptedOut));
        builder.Add(ReportRows.Row("c1", Channel.Email, DeliveryStatus.Sent));

        var report = builder.Build();

        report.Rows.Should().Be(6);
        var sms = report.Channels.Single(c => c.Channel == Channel.Sms);
        sms.Total.Should().Be(5);
        sms.Segments.Should().Be(4);
        sms.ByStatus.Should().BeEquivalentTo(new Dictionary<DeliveryStatus, int>
        {
            [DeliveryStatus.Delivered] = 1, [DeliveryStatus.Failed] = 2, [DeliveryStatus.Undelivered] = 1, [DeliveryStatus.Skipped] = 1,
        });
        sms.Failures.Should().Equal(
            new FailureCount(DeliveryStatus.Failed, FailureReason.Landline, "30006", 2),
            new FailureCount(DeliveryStatus.Undelivered, FailureReason.Unreachable, "30003", 1));
        sms.Skipped.Should().BeEquivalentTo(new Dictionary<SkipReason, int> { [SkipReason.OptedOut] = 1 });
        report.Channels.Single(c => c.Channel == Channel.Email).ByStatus.Should().BeEquivalentTo(new Dictionary<DeliveryStatus, int> { [DeliveryStatus.Sent] = 1 });
    }

    [Fact]
    public void Build_SentRowsLeftUnconfirmed_AreCountedPerChannelAndNamedInTheCsv()
    {
        var builder = new AlertReportBuilder();
        var unconfirmed = ReportRows.Row("c1", Channel.Email, DeliveryStatus.Sent) with { Unconfirmed = UnconfirmedReasons.SmtpReplyLost };
        builder.Add(unconfirmed);
        builder.Add(ReportRows.Row("c2", Channel.Email, DeliveryStatus.Sent));
        builder.Add(ReportRows.Row("c1", Channel.Sms, DeliveryStatus.Delivered));

        var report = builder.Build();

        report.Channels.Single(c => c.Channel == Channel.Email).Unconfirmed.Should().Be(1);
        report.Channels.Single(c => c.Channel == Channel.Sms).Unconfirmed.Should().Be(0);
        DeliveryReportCsv.Line(unconfirmed).Should().StartWith("email,kz-oil,aqtau,c1,Sent,Unconfirmed,");
    }

    [Fact]
    public void CsvLine_RowWithAnAddress_NeverPrintsIt()
    {
        var row = ReportRows.Row("c1", Channel.Sms, DeliveryStatus.Pending, address: "+447700900123", segments: 1) with
        {
            SentAt = Instant.FromUtc(2025, 12, 9, 6, 0, 5),
        };

        var line = DeliveryReportCsv.Line(row);

        line.Should().Be("sms,kz-oil,aqtau,c1,Pending,,,1,,2025-12-09T06:00:05Z,2025-12-09T06:00:00Z\r\n");
        line.Should().NotContain("7700900123");
        DeliveryReportCsv.Header.Should().Be("channel,unionId,branchId,contactId,status,reason,errorCode,segments,notBefore,sentAt,updatedAt\r\n");
    }

    [Fact]
    public void CsvLine_FailedAndSkippedRows_PrintTheirReason()
    {
        DeliveryReportCsv.Line(ReportRows.Row("c2", Channel.Sms, DeliveryStatus.Failed, failure: FailureReason.Blocked, errorCode: "30004"))
            .Should().StartWith("sms,kz-oil,aqtau,c2,Failed,Blocked,30004,,,,");
        DeliveryReportCsv.Line(ReportRows.Row("c3", Channel.Email, DeliveryStatus.Skipped, skip: SkipReason.NoConsent))
            .Should().StartWith("email,kz-oil,aqtau,c3,Skipped,NoConsent,,,,,");
    }

    [Fact]
    public void CsvLine_DeferredSms_ShowsNotBefore()
    {
        var row = ReportRows.Row("c4", Channel.Sms, DeliveryStatus.Pending) with { NotBefore = NodaTime.Instant.FromUtc(2025, 12, 10, 3, 0) };

        DeliveryReportCsv.Line(row).Should().StartWith("sms,kz-oil,aqtau,c4,Pending,,,").And.Contain(",2025-12-10T03:00:00Z,");
    }

    [Fact]
    public void CsvLine_ErasedContact_LeavesBranchAndContactEmpty()
    {
        var row = ReportRows.Row("c1", Channel.Sms, DeliveryStatus.Sent) with { Contact = ContactRef.Erased(ReportRows.Union) };

        DeliveryReportCsv.Line(row).Should().StartWith("sms,kz-oil,,,Sent,");
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("=HYPERLINK(1)", "'=HYPERLINK(1)")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Escape_FieldsNeedingIt_AreQuotedOrDefused(string? value, string expected) =>
        DeliveryReportCsv.Escape(value).Should().Be(expected);

    [Fact]
    public void Scrub_SentRow_DropsPersonalDataAndKeepsStatusCountsAndUnion()
    {
        var now = Instant.FromUtc(2026, 1, 1, 0, 0);
        var row = ReportRows.Row("c1", Channel.Sms, DeliveryStatus.Sent, segments: 2, address: "+447700900123") with
        {
            Language = LanguageTag.English, BodyHash = new string('a', 64), ProviderId = "SM123", SentAt = ReportRows.Created, Attempt = 1,
        };

        var scrubbed = DeliveryErasure.Scrub(row, now);

        scrubbed.Contact.Should().Be(ContactRef.Erased(ReportRows.Union));
        scrubbed.Contact!.IsErased.Should().BeTrue();
        scrubbed.Address.Should().BeNull();
        scrubbed.Language.Should().BeNull();
        scrubbed.BodyHash.Should().BeNull();
        scrubbed.ProviderId.Should().BeNull();
        scrubbed.Should().Be(row with
        {
            Contact = scrubbed.Contact, Address = null, Language = null, BodyHash = null, ProviderId = null, UpdatedAt = now,
        }, "status, channel, segments, times and attempts stay");
    }

    [Fact]
    public void Scrub_PendingRow_BecomesSkippedNoAddress()
    {
        var scrubbed = DeliveryErasure.Scrub(ReportRows.Row("c1", Channel.Email, DeliveryStatus.Pending, address: "jane@example.org"), ReportRows.Created);

        scrubbed.Status.Should().Be(DeliveryStatus.Skipped);
        scrubbed.SkipReason.Should().Be(SkipReason.NoAddress);
        scrubbed.Address.Should().BeNull();
    }

    [Fact]
    public void Scrub_SendingRow_KeepsItsStatusForTheSenderToSettle()
    {
        var scrubbed = DeliveryErasure.Scrub(ReportRows.Row("c1", Channel.Sms, DeliveryStatus.Sending, address: "+447700900123"), ReportRows.Created);

        scrubbed.Status.Should().Be(DeliveryStatus.Sending);
        scrubbed.Address.Should().BeNull();
    }
}

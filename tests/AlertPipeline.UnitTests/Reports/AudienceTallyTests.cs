using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;

namespace AlertPipeline.UnitTests.Reports;

public sealed class AudienceTallyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly LanguageTag En = LanguageTag.English;
    private static readonly LanguageTag Kk = LanguageTag.Parse("kk");

    [Fact]
    public void IsNew_SameRecipientOnTheSameChannelTwice_CountsADuplicateOnce()
    {
        var tally = new AudienceTally([Channel.Sms, Channel.Email]);
        var row = ReportRows.Row("c1", Channel.Sms, DeliveryStatus.Pending);

        tally.IsNew(row).Should().BeTrue();
        tally.IsNew(row with { Contact = row.Contact! with { BranchId = BranchId.Parse("other") } }).Should().BeFalse();
        tally.IsNew(ReportRows.Row("c1", Channel.Email, DeliveryStatus.Pending)).Should().BeTrue("another channel is another row");

        var channels = tally.Build().ToDictionary(c => c.Channel);
        channels[Channel.Sms].Duplicates.Should().Be(1);
        channels[Channel.Email].Duplicates.Should().Be(0);
        tally.DistinctRows.Should().Be(2);
    }

    [Fact]
    public void Build_RecipientsAndSkips_AreCountedPerChannelAndLanguageWithSegments()
    {
        var tally = new AudienceTally([Channel.Sms]);
        tally.AddRecipient(Channel.Sms, En, 1);
        tally.AddRecipient(Channel.Sms, Kk, 2);
        tally.AddRecipient(Channel.Sms, Kk, 3);
        tally.AddSkipped(Channel.Sms, Kk, SkipReason.OptedOut);
        tally.AddSkipped(Channel.Sms, null, SkipReason.NoConsent);

        var sms = tally.Build().Should().ContainSingle().Subject;
        sms.Recipients.Should().Be(3);
        sms.Segments.Should().Be(6);
        sms.Skipped.Should().BeEquivalentTo(new Dictionary<SkipReason, int> { [SkipReason.OptedOut] = 1, [SkipReason.NoConsent] = 1 });
        var kk = sms.Languages.Single(l => l.Language == Kk);
        kk.Recipients.Should().Be(2);
        kk.Segments.Should().Be(5);
        kk.Skipped.Should().BeEquivalentTo(new Dictionary<SkipReason, int> { [SkipReason.OptedOut] = 1 });
        sms.Languages.Single(l => l.Language == En).Recipients.Should().Be(1);
    }

    [Fact]
    public void IsNew_ChannelNotTallied_Throws()
    {
        var tally = new AudienceTally([Channel.Email]);

        var act = () => tally.IsNew(ReportRows.Row("c1", Channel.Sms, DeliveryStatus.Pending));

        act.Should().Throw<ArgumentException>().WithMessage("*Sms*");
    }

    /// <summary>The figure quoted in docs/api.md: bytes per distinct recipient held for de-duplication.</summary>
    [Fact]
    public void IsNew_HundredThousandRecipients_HoldsUnderSeventyBytesEach()
    {
        var rows = Enumerable.Range(0, 100_000)
            .Select(i => ReportRows.Row("c" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), Channel.Sms, DeliveryStatus.Pending))
            .ToList();
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var tally = new AudienceTally([Channel.Sms]);
        foreach (var row in rows)
        {
            tally.IsNew(row);
        }

        var bytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(tally);
        tally.DistinctRows.Should().Be(100_000);
        output.WriteLine($"de-duplication set: {bytes / 100_000.0:F1} bytes per distinct recipient");
        (bytes / 100_000.0).Should().BeLessThan(70, "a 128-bit value per entry plus the set's overhead");
    }
}

using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using Moq;
using NodaTime;

namespace AlertPipeline.UnitTests.Pipeline.QuietHours;

/// <summary>The quiet-hours decisions of fan-out (21:00–08:00 in the contact's zone; SMS only).</summary>
public sealed class QuietHoursPlannerTests
{
    private static readonly global::AlertPipeline.Core.Scheduling.QuietHours Night = new(new LocalTime(21, 0), new LocalTime(8, 0));
    private readonly PipelineWorld _world = new();

    [Fact]
    public void Plan_LondonContactAtNight_SmsDeferredToEightLocalAndEmailNot()
    {
        // 10 December 2025 21:30 UTC is 21:30 GMT in London.
        var contact = Contact("Europe/London");
        var alert = _world.StoreAlert(PipelineWorld.EventJson(expiresAt: "2025-12-12T00:00:00Z"));

        var rows = DeliveryPlanner.Plan(alert, [contact], _world.Hasher, Instant.FromUtc(2025, 12, 10, 21, 30), Night);

        var sms = rows.Single(r => r.Channel == Channel.Sms);
        sms.Status.Should().Be(DeliveryStatus.Pending);
        sms.NotBefore.Should().Be(Instant.FromUtc(2025, 12, 11, 8, 0), "08:00 GMT the next morning");
        sms.Address.Should().Be("+447700900123", "a deferred row will still be sent");
        rows.Single(r => r.Channel == Channel.Email).NotBefore.Should().BeNull("email does not wake anyone");
    }

    [Fact]
    public void Plan_AqtauContactAtNight_DeferredToEightAqtauTime()
    {
        // 20:30 UTC is 01:30 in Aqtau (UTC+5, no DST): 08:00 there is 03:00 UTC.
        var alert = _world.StoreAlert(PipelineWorld.EventJson(expiresAt: "2025-12-12T00:00:00Z"));

        var rows = DeliveryPlanner.Plan(alert, [Contact("Asia/Aqtau")], _world.Hasher, Instant.FromUtc(2025, 12, 10, 20, 30), Night);

        rows.Single(r => r.Channel == Channel.Sms).NotBefore.Should().Be(Instant.FromUtc(2025, 12, 11, 3, 0));
    }

    [Fact]
    public void Plan_ContactInDaytime_NotDeferred()
    {
        var alert = _world.StoreAlert(PipelineWorld.EventJson(expiresAt: "2025-12-12T00:00:00Z"));

        var rows = DeliveryPlanner.Plan(alert, [Contact("Asia/Aqtau")], _world.Hasher, Instant.FromUtc(2025, 12, 10, 6, 0), Night);

        rows.Should().OnlyContain(r => r.Status == DeliveryStatus.Pending && r.NotBefore == null, "11:00 in Aqtau is not quiet");
    }

    [Fact]
    public void Plan_AlertExpiresBeforeMorning_SmsSkippedExpiredWithoutAddress()
    {
        // London at 21:30 GMT; the alert expires at 06:00 UTC, before 08:00 GMT. Aqtau (02:30) waits until 03:00 UTC: in time.
        var alert = _world.StoreAlert(PipelineWorld.EventJson(expiresAt: "2025-12-11T06:00:00Z"));
        var now = Instant.FromUtc(2025, 12, 10, 21, 30);

        var london = DeliveryPlanner.Plan(alert, [Contact("Europe/London")], _world.Hasher, now, Night).Single(r => r.Channel == Channel.Sms);
        var aqtau = DeliveryPlanner.Plan(alert, [Contact("Asia/Aqtau", "+77010000001")], _world.Hasher, now, Night).Single(r => r.Channel == Channel.Sms);

        london.Status.Should().Be(DeliveryStatus.Skipped);
        london.SkipReason.Should().Be(SkipReason.Expired);
        london.Address.Should().BeNull();
        london.NotBefore.Should().BeNull();
        aqtau.Status.Should().Be(DeliveryStatus.Pending);
        aqtau.NotBefore.Should().Be(Instant.FromUtc(2025, 12, 11, 3, 0));
    }

    [Theory]
    [InlineData(2026, 3, 28, 22, 2026, 3, 29, 7)]   // 22:00 GMT Saturday → 08:00 BST Sunday (clocks went forward: 9 h)
    [InlineData(2026, 10, 24, 21, 2026, 10, 25, 8)] // 22:00 BST Saturday → 08:00 GMT Sunday (clocks went back: 11 h)
    public void Plan_LondonDstNight_DeferredToLocalEight(int y, int m, int d, int h, int ey, int em, int ed, int eh)
    {
        var alert = _world.StoreAlert(PipelineWorld.EventJson(expiresAt: "2026-12-31T00:00:00Z"));

        var rows = DeliveryPlanner.Plan(alert, [Contact("Europe/London")], _world.Hasher, Instant.FromUtc(y, m, d, h, 0), Night);

        rows.Single(r => r.Channel == Channel.Sms).NotBefore.Should().Be(Instant.FromUtc(ey, em, ed, eh, 0));
    }

    [Fact]
    public void Plan_WithoutQuietHours_NothingDeferred()
    {
        var alert = _world.StoreAlert(PipelineWorld.EventJson(expiresAt: "2025-12-12T00:00:00Z"));

        var rows = DeliveryPlanner.Plan(alert, [Contact("Europe/London")], _world.Hasher, Instant.FromUtc(2025, 12, 10, 23, 0));

        rows.Should().OnlyContain(r => r.NotBefore == null && r.Status == DeliveryStatus.Pending);
    }

    [Fact]
    public async Task Chunk_AtNight_SchedulesTheSmsForTheMorningAndDispatchesTheEmailNow()
    {
        // PipelineWorld's clock: 06:01 UTC, night in London (GMT), late morning in Aqtau.
        _world.Options.QuietHours = "21:00-08:00";
        _world.Options.FanOutPageSize = 100;
        var londoner = _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "sleeper", "+447700900101", "sleeper@example.org");
        var alert = _world.StoreAlert();

        // Strict Deferred store: a morning within 7 days is scheduled on the batch, not recorded for the ScheduleTick.
        var result = await _world.Chunks.HandleAsync(new FanOutChunk(alert.AlertId, PipelineWorld.Uk, PipelineWorld.London, 0, null), default);

        var key = _world.KeyFor(alert, Channel.Sms, londoner.Phone!.E164);
        var morning = Instant.FromUtc(2025, 12, 9, 8, 0);
        var batches = _world.TakeDispatched();
        batches.Should().HaveCount(2);
        batches.Single(b => b.Channel == Channel.Sms).Should().Match<DispatchBatch>(b => b.NotBefore == morning && b.Keys.Single() == key, "the SMS waits for the morning");
        batches.Single(b => b.Channel == Channel.Email).NotBefore.Should().BeNull("email is not deferred");
        (result.Sms, result.Email, result.Scheduled, result.Deferred).Should().Be((1, 1, 1, 0));
        _world.Deliveries.Rows.Single(r => r.Key == key).NotBefore.Should().Be(morning);
    }

    [Fact]
    public async Task SendSms_RowDeferredUntilLater_NotSentAndLeftPending()
    {
        _world.Options.QuietHours = "21:00-08:00";
        var londoner = _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "sleeper", "+447700900101");
        var alert = _world.StoreAlert();
        await _world.Chunks.HandleAsync(new FanOutChunk(alert.AlertId, PipelineWorld.Uk, PipelineWorld.London, 0, null), default);
        var key = _world.KeyFor(alert, Channel.Sms, londoner.Phone!.E164);

        var early = await _world.SendSms.HandleAsync(key, default); // strict mocks: any send or opt-out read would throw

        early.Outcome.Should().Be(SendOutcome.Deferred);
        _world.Deliveries.Rows.Single(r => r.Key == key).Status.Should().Be(DeliveryStatus.Pending);
    }

    private ContactEntry Contact(string zone, string phone = "+447700900123") => new(new Contact
    {
        UnionId = PipelineWorld.Uk,
        BranchId = PipelineWorld.London,
        ContactId = ContactId.Parse("c-" + phone[^3..]),
        Name = "Member",
        Phone = PhoneNumber.Parse(phone),
        Email = EmailAddress.Parse("member@example.org"),
        Language = LanguageTag.English,
        TimeZone = TimeZoneId.Parse(zone),
        Consent = Consent.All,
        OptOut = OptOutState.None,
    }, null);
}

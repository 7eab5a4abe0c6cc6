using AlertPipeline.Core.Scheduling;
using NodaTime;
using static AlertPipeline.UnitTests.Scheduling.TestTime;

namespace AlertPipeline.UnitTests.Scheduling;

public class DueOccurrencesTests
{
    private static readonly Duration Grace = Duration.FromMinutes(15);
    private static readonly Instant ZhanaozenFire = I("2025-12-16T05:00:00Z");

    private static AnniversarySchedule Zhanaozen(params string[] reminders) =>
        new(new ScheduleId("zhanaozen-kz"), new AnnualDate(12, 16), T("10:00"), ScheduleTime.Zone("Asia/Aqtau"),
            R(reminders.Length == 0 ? ["P0D"] : reminders), firstYear: 2012);

    private static AnniversarySchedule LondonSpringForward() =>
        new(new ScheduleId("london-gap"), new AnnualDate(3, 30), T("01:30"), London, R("P1D", "P0D"), firstYear: 2020);

    [Theory]
    [InlineData(-1, false, false)]
    [InlineData(0, true, false)]
    [InlineData(60, true, false)]
    [InlineData(899, true, false)]
    [InlineData(900, false, true)]
    [InlineData(7200, false, true)]
    public void DueOccurrences_ByLateness_IsDueWithinGraceAndMissedBeyond(int secondsLate, bool due, bool missed)
    {
        var now = ZhanaozenFire + Duration.FromSeconds(secondsLate);

        var result = SchedulePlanner.DueOccurrences([Zhanaozen()], ZhanaozenFire - Duration.FromHours(1), now, Grace);

        result.Due.Should().HaveCount(due ? 1 : 0);
        result.Missed.Should().HaveCount(missed ? 1 : 0);
    }

    [Fact]
    public void DueOccurrences_FirstTickEver_ReportsNothingMissed()
    {
        var result = SchedulePlanner.DueOccurrences([Zhanaozen()], lastTick: null, ZhanaozenFire + Duration.FromDays(2), Grace);

        result.Due.Should().BeEmpty();
        result.Missed.Should().BeEmpty();
    }

    [Fact]
    public void DueOccurrences_NeverFiresOneOlderThanGrace_EvenAfterLongOutage()
    {
        var result = SchedulePlanner.DueOccurrences(
            [Zhanaozen("P7D", "P1D", "PT2H", "P0D")], I("2025-12-01T00:00:00Z"), I("2025-12-16T05:05:00Z"), Grace);

        result.Due.Select(o => o.Key.Value).Should().Equal("zhanaozen-kz|Y2025|P0D");
        result.Missed.Select(o => o.Key.Value).Should().Equal(
            "zhanaozen-kz|Y2025|P7D", "zhanaozen-kz|Y2025|P1D", "zhanaozen-kz|Y2025|PT2H");
    }

    [Fact]
    public void DueOccurrences_UnclaimedDueOccurrence_IsReportedMissedOnceAfterGrace()
    {
        var schedules = new Schedule[] { Zhanaozen() };
        var tick1 = ZhanaozenFire + Duration.FromMinutes(1);
        var tick2 = ZhanaozenFire + Duration.FromMinutes(20);
        var tick3 = ZhanaozenFire + Duration.FromMinutes(40);

        // Tick 1 sees it due but (say) crashes before claiming it.
        SchedulePlanner.DueOccurrences(schedules, ZhanaozenFire - Duration.FromMinutes(5), tick1, Grace).Due.Should().ContainSingle();
        var second = SchedulePlanner.DueOccurrences(schedules, tick1, tick2, Grace);
        var third = SchedulePlanner.DueOccurrences(schedules, tick2, tick3, Grace);

        second.Due.Should().BeEmpty();
        second.Missed.Select(o => o.Key.Value).Should().Equal("zhanaozen-kz|Y2025|P0D");
        third.Missed.Should().BeEmpty();
    }

    [Fact]
    public void DueOccurrences_FiredKeys_AreLeftOutOfDueAndMissed()
    {
        var schedule = Zhanaozen("PT2H", "P0D");
        var fired = Keys(OccurrenceKey.ForAnniversary(schedule.Id, 2025, Reminder.Parse("P0D")),
            OccurrenceKey.ForAnniversary(schedule.Id, 2025, Reminder.Parse("PT2H")));

        var result = SchedulePlanner.DueOccurrences([schedule], I("2025-12-16T00:00:00Z"), ZhanaozenFire, Grace, fired);

        result.Due.Should().BeEmpty();
        result.Missed.Should().BeEmpty();
    }

    [Fact]
    public void DueOccurrences_SeveralSchedules_AreOrderedByFireTimeThenKey()
    {
        var aqtau = Zhanaozen("P0D");
        var london = new AnniversarySchedule(
            new ScheduleId("london"), new AnnualDate(12, 16), T("05:00"), London, R("P0D"), firstYear: 2012);
        var alsoAqtau = new AnniversarySchedule(
            new ScheduleId("aaa"), new AnnualDate(12, 16), T("10:00"), Aqtau, R("P0D"), firstYear: 2012);

        var result = SchedulePlanner.DueOccurrences([london, aqtau, alsoAqtau], null, ZhanaozenFire, Grace);

        result.Due.Select(o => o.Key.Value).Should().Equal("aaa|Y2025|P0D", "london|Y2025|P0D", "zhanaozen-kz|Y2025|P0D");
    }

    [Fact]
    public void DueOccurrences_TwoHostsTickingAtOnce_ComputeTheSameKeysSoAClaimDedups()
    {
        // Each host loads the schedules itself; they share nothing but the data.
        Schedule[] Load() =>
        [
            Zhanaozen("P7D", "P1D", "PT2H", "P0D", "P0D@07:00"),
            new TrialSchedule(new ScheduleId("trial-7"), L("2025-12-16T11:00"), ScheduleTime.Zone("Asia/Aqtau"), R("P0D@07:00", "PT2H")),
        ];
        var now = I("2025-12-16T04:05:00Z");
        var lastTick = I("2025-12-16T03:55:00Z");

        var hostA = SchedulePlanner.DueOccurrences(Load(), lastTick, now, Grace);
        var hostB = SchedulePlanner.DueOccurrences(Load(), lastTick, now, Grace);

        hostA.Due.Should().Equal(hostB.Due);
        hostA.Due.Select(o => o.Key.Value).Should().Equal("trial-7|H20251216T110000|PT2H");

        var claims = new HashSet<OccurrenceKey>();
        var firedByA = hostA.Due.Where(o => claims.Add(o.Key)).ToList();
        var firedByB = hostB.Due.Where(o => claims.Add(o.Key)).ToList();
        (firedByA.Count + firedByB.Count).Should().Be(1);
    }

    [Fact]
    public void DueOccurrences_WithClock_ReadsNowFromIt()
    {
        var clock = new ManualClock(ZhanaozenFire - Duration.FromMinutes(1));

        SchedulePlanner.DueOccurrences([Zhanaozen()], null, clock, Grace).Due.Should().BeEmpty();
        clock.Advance(Duration.FromMinutes(2));
        SchedulePlanner.DueOccurrences([Zhanaozen()], null, clock, Grace).Due.Should().ContainSingle();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    [InlineData(8 * 24 * 3600)]
    public void DueOccurrences_GraceOutOfRange_IsRejected(int graceSeconds)
    {
        var act = () => SchedulePlanner.DueOccurrences([Zhanaozen()], null, ZhanaozenFire, Duration.FromSeconds(graceSeconds));

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*grace period*");
    }

    [Fact]
    public void DueOccurrences_SameScheduleTwice_IsRejected()
    {
        var act = () => SchedulePlanner.DueOccurrences([Zhanaozen(), Zhanaozen("P1D")], null, ZhanaozenFire, Grace);

        act.Should().Throw<ArgumentException>().WithMessage("*'zhanaozen-kz' is listed twice*");
    }

    [Fact]
    public void Ticking_ThroughAYearWithAnOutage_FiresEachOccurrenceOnceOnTimeAndReportsTheMissedOnce()
    {
        var schedules = new Schedule[] { Zhanaozen("P7D", "P1D", "PT2H", "P0D", "P0D@07:00"), LondonSpringForward() };
        var interval = Duration.FromMinutes(10);
        var grace = Duration.FromMinutes(25);
        var outageFrom = I("2025-12-14T23:00:00Z");
        var outageTo = I("2025-12-15T06:00:00Z"); // the Zhanaozen day-before reminder (05:00 UTC) falls in it
        var clock = new ManualClock(I("2025-01-01T00:00:00Z"));
        var end = I("2026-01-01T00:00:00Z");

        var claimed = new HashSet<OccurrenceKey>();
        var fired = new Dictionary<OccurrenceKey, (Instant FireAt, Instant TickAt)>();
        var missed = new List<OccurrenceKey>();
        Instant? lastTick = null;
        while (clock.Now < end)
        {
            clock.Advance(interval);
            if (clock.Now > outageFrom && clock.Now < outageTo)
            {
                continue;
            }

            var result = SchedulePlanner.DueOccurrences(schedules, lastTick, clock, grace, claimed);
            foreach (var occurrence in result.Due)
            {
                claimed.Add(occurrence.Key).Should().BeTrue();
                fired.Add(occurrence.Key, (occurrence.FireAt, clock.Now));
            }

            foreach (var occurrence in result.Missed)
            {
                claimed.Add(occurrence.Key).Should().BeTrue();
                missed.Add(occurrence.Key);
            }

            lastTick = clock.Now;
        }

        missed.Select(k => k.Value).Should().Equal("zhanaozen-kz|Y2025|P1D");
        fired.Keys.Select(k => k.Value).Should().BeEquivalentTo(
            "zhanaozen-kz|Y2025|P7D", "zhanaozen-kz|Y2025|P0D@07:00", "zhanaozen-kz|Y2025|PT2H", "zhanaozen-kz|Y2025|P0D",
            "london-gap|Y2025|P1D", "london-gap|Y2025|P0D");
        fired.Values.Should().OnlyContain(f => f.TickAt >= f.FireAt && f.TickAt - f.FireAt < interval);
        fired[OccurrenceKey.Parse("london-gap|Y2025|P0D")].FireAt.Should().Be(I("2025-03-30T01:30:00Z"));
        fired[OccurrenceKey.Parse("london-gap|Y2025|P1D")].FireAt.Should().Be(I("2025-03-29T01:30:00Z"));
    }
}

using AlertPipeline.Core.Scheduling;
using NodaTime;
using static AlertPipeline.UnitTests.Scheduling.TestTime;

namespace AlertPipeline.UnitTests.Scheduling;

public class AnniversaryScheduleTests
{
    private static readonly ScheduleId Zhanaozen = new("zhanaozen-kz");

    private static AnniversarySchedule Yearly(
        int month, int day, string time, DateTimeZone zone, ReminderSet reminders, int firstYear = 2012, Instant? effectiveFrom = null) =>
        new(new ScheduleId("anniv"), new AnnualDate(month, day), T(time), zone, reminders, firstYear, effectiveFrom: effectiveFrom);

    private static AnniversarySchedule ZhanaozenInAqtau(ReminderSet reminders, Instant? effectiveFrom = null) =>
        new(Zhanaozen, new AnnualDate(12, 16), T("10:00"), Aqtau, reminders, firstYear: 2012, effectiveFrom: effectiveFrom);

    [Fact]
    public void OccurrencesIn_ZhanaozenInAqtau_FiresAtTenLocalWhichIsFiveUtc()
    {
        var occurrence = ZhanaozenInAqtau(R("P0D")).OccurrencesIn(2025).Should().ContainSingle().Subject;

        occurrence.FireAt.Should().Be(I("2025-12-16T05:00:00Z"));
        occurrence.EventAt.LocalDateTime.Should().Be(L("2025-12-16T10:00"));
        occurrence.EventAt.Zone.Id.Should().Be("Asia/Aqtau");
        occurrence.Key.Value.Should().Be("zhanaozen-kz|Y2025|P0D");
        occurrence.Kind.Should().Be(OccurrenceKind.Reminder);
    }

    [Fact]
    public void OccurrencesIn_ZhanaozenWithUsualReminders_FireAtTheRightInstantsEarliestFirst()
    {
        var schedule = ZhanaozenInAqtau(R("P0D", "P7D", "PT2H", "P1D", "P0D@07:00"));

        var occurrences = schedule.OccurrencesIn(2025);

        occurrences.Select(o => (o.Key.Value, o.FireAt)).Should().Equal(
            ("zhanaozen-kz|Y2025|P7D", I("2025-12-09T05:00:00Z")),
            ("zhanaozen-kz|Y2025|P1D", I("2025-12-15T05:00:00Z")),
            ("zhanaozen-kz|Y2025|P0D@07:00", I("2025-12-16T02:00:00Z")),
            ("zhanaozen-kz|Y2025|PT2H", I("2025-12-16T03:00:00Z")),
            ("zhanaozen-kz|Y2025|P0D", I("2025-12-16T05:00:00Z")));
    }

    [Theory]
    [InlineData(2012)]
    [InlineData(2020)]
    [InlineData(2024)]
    [InlineData(2025)]
    [InlineData(2030)]
    public void EventIn_Aqtau_IsAlwaysUtcPlusFive(int year)
    {
        var schedule = ZhanaozenInAqtau(R("P0D"));

        var zoned = schedule.EventIn(year);

        zoned.Offset.Should().Be(Offset.FromHours(5));
        zoned.ToInstant().Should().Be(Instant.FromUtc(year, 12, 16, 5, 0));
    }

    [Theory]
    [InlineData(3, 30)]
    [InlineData(6, 30)]
    [InlineData(10, 26)]
    public void EventIn_AqtauAtLondonDstChangeDates_HasNoShift(int month, int day)
    {
        var schedule = Yearly(month, day, "01:30", Aqtau, R("P0D"));

        schedule.EventIn(2025).ToInstant().Should().Be(Instant.FromUtc(2025, month, day, 1, 30) - Duration.FromHours(5));
    }

    [Fact]
    public void EventIn_SameAnniversaryInLondonInWinter_IsTenUtc()
    {
        Yearly(12, 16, "10:00", London, R("P0D")).EventIn(2025).ToInstant().Should().Be(I("2025-12-16T10:00:00Z"));
    }

    [Theory]
    [InlineData(2024, "2024-02-29")]
    [InlineData(2025, "2025-02-28")]
    [InlineData(2028, "2028-02-29")]
    [InlineData(2100, "2100-02-28")]
    [InlineData(2000, "2000-02-29")]
    public void DateIn_TwentyNinthOfFebruary_FallsBackToTwentyEighthInNonLeapYears(int year, string expected)
    {
        var schedule = Yearly(2, 29, "12:00", London, R("P0D"), firstYear: 1990);

        schedule.DateIn(year).ToString("uuuu-MM-dd", null).Should().Be(expected);
    }

    [Fact]
    public void OccurrencesIn_TwentyNinthOfFebruaryInNonLeapYear_RemindersCountFromTheTwentyEighth()
    {
        var schedule = Yearly(2, 29, "12:00", London, R("P0D", "P1D"));

        var occurrences = schedule.OccurrencesIn(2025);

        occurrences.Select(o => (o.Key.Value, o.FireAt)).Should().Equal(
            ("anniv|Y2025|P1D", I("2025-02-27T12:00:00Z")),
            ("anniv|Y2025|P0D", I("2025-02-28T12:00:00Z")));
    }

    [Fact]
    public void OccurrencesIn_TwentyNinthOfFebruary_OneOccurrencePerReminderEveryYear()
    {
        var schedule = Yearly(2, 29, "12:00", London, R("P0D"));

        var keys = Enumerable.Range(2023, 6).SelectMany(schedule.OccurrencesIn).Select(o => o.Key.Value);

        keys.Should().Equal("anniv|Y2023|P0D", "anniv|Y2024|P0D", "anniv|Y2025|P0D", "anniv|Y2026|P0D", "anniv|Y2027|P0D", "anniv|Y2028|P0D");
    }

    [Fact]
    public void EventIn_LondonSpringForwardGap_IsShiftedForwardByTheGap()
    {
        // 2025-03-30: clocks go 01:00 GMT → 02:00 BST, so 01:30 does not exist; it becomes 02:30 BST.
        var zoned = Yearly(3, 30, "01:30", London, R("P0D")).EventIn(2025);

        zoned.LocalDateTime.Should().Be(L("2025-03-30T02:30"));
        zoned.Offset.Should().Be(Offset.FromHours(1));
        zoned.ToInstant().Should().Be(I("2025-03-30T01:30:00Z"));
    }

    [Fact]
    public void EventIn_LondonStartOfGap_BecomesTwoBst()
    {
        Yearly(3, 30, "01:00", London, R("P0D")).EventIn(2025).ToInstant().Should().Be(I("2025-03-30T01:00:00Z"));
    }

    [Fact]
    public void EventIn_SameDateInYearWithoutGap_IsPlainBst()
    {
        // In 2026 the last Sunday of March is the 29th, so 30 March 01:30 exists (BST).
        Yearly(3, 30, "01:30", London, R("P0D")).EventIn(2026).ToInstant().Should().Be(I("2026-03-30T00:30:00Z"));
    }

    [Fact]
    public void EventIn_LondonFallBackOverlap_TakesTheEarlierInstant()
    {
        // 2025-10-26: 01:00–02:00 happens twice (BST then GMT); the earlier is 01:30 BST = 00:30 UTC.
        var zoned = Yearly(10, 26, "01:30", London, R("P0D")).EventIn(2025);

        zoned.Offset.Should().Be(Offset.FromHours(1));
        zoned.ToInstant().Should().Be(I("2025-10-26T00:30:00Z"));
    }

    [Fact]
    public void ScheduleTimeResolver_IsExplicitlyEarlierForOverlapAndForwardShiftForGap()
    {
        var overlap = London.MapLocal(L("2025-10-26T01:30"));
        var gap = L("2025-03-30T01:30");

        ScheduleTime.Resolve(L("2025-10-26T01:30"), London).Should().Be(overlap.First());
        ScheduleTime.Resolve(gap, London).Should().Be(London.ResolveLocal(gap, NodaTime.TimeZones.Resolvers.LenientResolver));
    }

    [Fact]
    public void OccurrencesIn_DayBeforeAcrossSpringForward_IsSameLocalTimeNot24Hours()
    {
        // 30 March 2025 10:00 BST = 09:00 UTC; the day before 10:00 is GMT = 10:00 UTC (23 h earlier).
        var occurrences = Yearly(3, 30, "10:00", London, R("P0D", "P1D", "PT24H")).OccurrencesIn(2025);

        var fireAt = occurrences.ToDictionary(o => o.Reminder!.Code, o => o.FireAt);
        fireAt["P0D"].Should().Be(I("2025-03-30T09:00:00Z"));
        fireAt["P1D"].Should().Be(I("2025-03-29T10:00:00Z"));
        fireAt["PT24H"].Should().Be(I("2025-03-29T09:00:00Z"));
    }

    [Fact]
    public void OccurrencesIn_DayBeforeAcrossFallBack_IsSameLocalTimeNot24Hours()
    {
        // 26 October 2025 10:00 GMT = 10:00 UTC; the day before 10:00 is BST = 09:00 UTC (25 h earlier).
        var occurrences = Yearly(10, 26, "10:00", London, R("P0D", "P1D", "PT24H")).OccurrencesIn(2025);

        var fireAt = occurrences.ToDictionary(o => o.Reminder!.Code, o => o.FireAt);
        fireAt["P0D"].Should().Be(I("2025-10-26T10:00:00Z"));
        fireAt["P1D"].Should().Be(I("2025-10-25T09:00:00Z"));
        fireAt["PT24H"].Should().Be(I("2025-10-25T10:00:00Z"));
    }

    [Fact]
    public void OccurrencesIn_HoursBefore_IsExactElapsedTimeAcrossTheGap()
    {
        // 30 March 2025 03:00 BST = 02:00 UTC; two hours before is 00:00 UTC = 00:00 GMT (local clock moved 3 h).
        var occurrence = Yearly(3, 30, "03:00", London, R("PT2H")).OccurrencesIn(2025).Single();

        occurrence.FireAt.Should().Be(I("2025-03-30T00:00:00Z"));
        (occurrence.EventAt.ToInstant() - occurrence.FireAt).Should().Be(Duration.FromHours(2));
    }

    [Fact]
    public void OccurrencesIn_MorningOfOnSpringForwardDay_IsSevenBst()
    {
        var occurrence = Yearly(3, 30, "10:00", London, R("P0D@07:00")).OccurrencesIn(2025).Single();

        occurrence.FireAt.Should().Be(I("2025-03-30T06:00:00Z"));
    }

    [Fact]
    public void OccurrencesIn_EveningBeforeAtGivenTime_UsesThatLocalTime()
    {
        var occurrence = ZhanaozenInAqtau(R("P1D@18:00")).OccurrencesIn(2025).Single();

        occurrence.FireAt.Should().Be(I("2025-12-15T13:00:00Z"));
    }

    [Fact]
    public void OccurrencesIn_MorningOfPushedPastEventByGap_FiresAtTheEvent()
    {
        // Event 02:30 BST (01:30 UTC) exists; 01:45 that morning does not and shifts to 02:45 BST, after the event.
        var occurrence = Yearly(3, 30, "02:30", London, R("P0D@01:45")).OccurrencesIn(2025).Single();

        occurrence.FireAt.Should().Be(I("2025-03-30T01:30:00Z"));
    }

    [Fact]
    public void Constructor_SameDayReminderLaterThanEvent_IsRejected()
    {
        var act = () => Yearly(12, 16, "10:00", Aqtau, R("P0D@11:00"));

        act.Should().Throw<ArgumentException>().WithMessage("*'P0D@11:00' would fire after the anniversary at 10:00*");
    }

    [Fact]
    public void Constructor_LastYearBeforeFirstYear_IsRejected()
    {
        var act = () => new AnniversarySchedule(Zhanaozen, new AnnualDate(12, 16), T("10:00"), Aqtau, R("P0D"), 2020, lastYear: 2019);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*last year*");
    }

    [Fact]
    public void OccurrencesIn_YearsOutsideFirstAndLast_AreEmpty()
    {
        var schedule = new AnniversarySchedule(Zhanaozen, new AnnualDate(12, 16), T("10:00"), Aqtau, R("P0D"), 2012, lastYear: 2030);

        schedule.OccurrencesIn(2011).Should().BeEmpty();
        schedule.OccurrencesIn(2012).Should().ContainSingle();
        schedule.OccurrencesIn(2030).Should().ContainSingle();
        schedule.OccurrencesIn(2031).Should().BeEmpty();
    }

    [Fact]
    public void OccurrencesIn_RemindersBeforeEffectiveFrom_AreLeftOut()
    {
        // Schedule created on 12 December: the 7-day reminder for this year never was due.
        var schedule = ZhanaozenInAqtau(R("P7D", "P1D"), effectiveFrom: I("2025-12-12T08:00:00Z"));

        schedule.OccurrencesIn(2025).Select(o => o.Key.Value).Should().Equal("zhanaozen-kz|Y2025|P1D");
        schedule.OccurrencesIn(2026).Should().HaveCount(2);
    }

    [Fact]
    public void OccurrencesBetween_WindowIsExclusiveStartInclusiveEnd()
    {
        var schedule = ZhanaozenInAqtau(R("P0D"));
        var fire = I("2025-12-16T05:00:00Z");

        schedule.OccurrencesBetween(fire - Duration.FromMinutes(1), fire).Should().ContainSingle();
        schedule.OccurrencesBetween(fire, fire + Duration.FromMinutes(1)).Should().BeEmpty();
        schedule.OccurrencesBetween(fire, fire).Should().BeEmpty();
    }

    [Fact]
    public void OccurrencesBetween_ReminderInPreviousYear_IsFound()
    {
        var schedule = Yearly(1, 3, "10:00", London, R("P7D"));

        var found = schedule.OccurrencesBetween(I("2025-12-20T00:00:00Z"), I("2025-12-31T00:00:00Z")).ToList();

        found.Select(o => (o.Key.Value, o.FireAt)).Should().Equal(("anniv|Y2026|P7D", I("2025-12-27T10:00:00Z")));
    }

    [Fact]
    public void OccurrencesBetween_LongestReminder_IsFoundTwoCalendarYearsEarly()
    {
        // 366 days before 1 January 2026 is 31 December 2024.
        var schedule = Yearly(1, 1, "10:00", London, R("P366D"));

        var found = schedule.OccurrencesBetween(I("2024-12-30T00:00:00Z"), I("2025-01-02T00:00:00Z")).ToList();

        found.Select(o => (o.Key.Value, o.FireAt)).Should().Equal(("anniv|Y2026|P366D", I("2024-12-31T10:00:00Z")));
    }

    [Fact]
    public void OccurrencesBetween_SeveralYears_ListsEachYearOnce()
    {
        var schedule = ZhanaozenInAqtau(R("P0D", "P1D"));

        var keys = schedule.OccurrencesBetween(I("2023-01-01T00:00:00Z"), I("2026-01-01T00:00:00Z")).Select(o => o.Key.Value);

        keys.Should().Equal(
            "zhanaozen-kz|Y2023|P1D", "zhanaozen-kz|Y2023|P0D",
            "zhanaozen-kz|Y2024|P1D", "zhanaozen-kz|Y2024|P0D",
            "zhanaozen-kz|Y2025|P1D", "zhanaozen-kz|Y2025|P0D");
    }

    [Fact]
    public void OccurrencesIn_RecomputedFromSameData_GivesEqualScheduleAndSameKeys()
    {
        var a = new AnniversarySchedule(Zhanaozen, new AnnualDate(12, 16), T("10:00"), ScheduleTime.Zone("Asia/Aqtau"), R("P7D", "PT2H"), 2012);
        var b = new AnniversarySchedule(Zhanaozen, new AnnualDate(12, 16), T("10:00"), ScheduleTime.Zone("Asia/Aqtau"), R("P7D", "PT2H"), 2012);

        a.Should().Be(b);
        a.OccurrencesIn(2025).Should().Equal(b.OccurrencesIn(2025));
    }

    [Fact]
    public void OccurrencesIn_AddingAReminder_KeepsTheKeysOfTheOthers()
    {
        var before = ZhanaozenInAqtau(R("P7D", "P0D")).OccurrencesIn(2025).Select(o => o.Key);
        var after = ZhanaozenInAqtau(R("P7D", "P1D", "P0D")).OccurrencesIn(2025).Select(o => o.Key);

        after.Should().Contain(before);
    }
}

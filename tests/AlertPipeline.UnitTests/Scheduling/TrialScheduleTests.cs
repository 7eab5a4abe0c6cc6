using AlertPipeline.Core.Scheduling;
using NodaTime;
using static AlertPipeline.UnitTests.Scheduling.TestTime;

namespace AlertPipeline.UnitTests.Scheduling;

public class TrialScheduleTests
{
    private static readonly ScheduleId TrialId = new("trial-42");

    // Hearing on Friday 14 March 2025, 09:30 in London (GMT = UTC).
    private static TrialSchedule Trial(string hearing = "2025-03-14T09:30", Instant? effectiveFrom = null) =>
        new(TrialId, L(hearing), London, R("P7D", "P1D", "P0D@07:00"), effectiveFrom);

    private static OccurrenceKey Key(string hearing, string code) =>
        OccurrenceKey.ForHearing(TrialId, L(hearing), Reminder.Parse(code));

    [Fact]
    public void Plan_NewHearing_HasEachReminderAtItsTime()
    {
        var plan = Trial().Plan();

        plan.Skipped.Should().BeEmpty();
        plan.Active.Select(o => (o.Key.Value, o.FireAt)).Should().Equal(
            ("trial-42|H20250314T093000|P7D", I("2025-03-07T09:30:00Z")),
            ("trial-42|H20250314T093000|P1D", I("2025-03-13T09:30:00Z")),
            ("trial-42|H20250314T093000|P0D@07:00", I("2025-03-14T07:00:00Z")));
        plan.Active.Should().OnlyContain(o => o.EventAt.ToInstant() == I("2025-03-14T09:30:00Z"));
    }

    [Fact]
    public void Plan_CreatedThreeDaysBefore_SkipsTheSevenDayReminder()
    {
        var plan = Trial(effectiveFrom: I("2025-03-11T12:00:00Z")).Plan();

        plan.Skipped.Select(o => o.Key).Should().Equal(Key("2025-03-14T09:30", "P7D"));
        plan.Active.Should().HaveCount(2);
    }

    [Fact]
    public void Postpone_AfterSevenDayReminderFired_RecomputesPendingAndLeavesFiredAlone()
    {
        var trial = Trial();
        var now = I("2025-03-10T12:00:00Z");
        var fired = Keys(Key("2025-03-14T09:30", "P7D"));

        // Moved to Friday 4 April 09:30, which is BST (08:30 UTC).
        var change = trial.Postpone(L("2025-04-04T09:30"), now, fired, notify: true);

        change.AlreadyFired.Should().Equal(Key("2025-03-14T09:30", "P7D"));
        change.Withdrawn.Select(o => o.Key).Should().BeEquivalentTo(
            [Key("2025-03-14T09:30", "P1D"), Key("2025-03-14T09:30", "P0D@07:00")]);
        change.Pending.Select(o => (o.Key.Value, o.FireAt)).Should().Equal(
            ("trial-42|R1|MOVED", now),
            ("trial-42|H20250404T093000|P7D", I("2025-03-28T09:30:00Z")),
            ("trial-42|H20250404T093000|P1D", I("2025-04-03T08:30:00Z")),
            ("trial-42|H20250404T093000|P0D@07:00", I("2025-04-04T06:00:00Z")));
        change.Skipped.Should().BeEmpty();
    }

    [Fact]
    public void Postpone_WithNotice_NoticeIsDueNowAndNamesOldAndNewHearing()
    {
        var now = I("2025-03-10T12:00:00Z");

        var change = Trial().Postpone(L("2025-04-04T09:30"), now, Keys(), notify: true);

        var notice = change.Notice.Should().NotBeNull().And.Subject.As<ScheduledOccurrence>();
        notice.Kind.Should().Be(OccurrenceKind.HearingMoved);
        notice.FireAt.Should().Be(now);
        notice.Reminder.Should().BeNull();
        notice.EventAt.LocalDateTime.Should().Be(L("2025-04-04T09:30"));
        notice.PreviousEventAt!.Value.LocalDateTime.Should().Be(L("2025-03-14T09:30"));
        change.Schedule.Revision.Should().Be(1);
        change.Schedule.EffectiveFrom.Should().Be(now);
        change.Schedule.Hearing.Should().Be(L("2025-04-04T09:30"));
    }

    [Fact]
    public void Postpone_WithoutNotice_HasNoNoticeOccurrence()
    {
        var change = Trial().Postpone(L("2025-04-04T09:30"), I("2025-03-10T12:00:00Z"), Keys(), notify: false);

        change.Notice.Should().BeNull();
        change.Pending.Should().OnlyContain(o => o.Kind == OccurrenceKind.Reminder).And.HaveCount(3);
    }

    [Fact]
    public void Postpone_ToTwoDaysAhead_SkipsRemindersAlreadyPastInsteadOfMissingThem()
    {
        var now = I("2025-03-10T12:00:00Z");

        var change = Trial().Postpone(L("2025-03-12T09:30"), now, Keys(), notify: true);

        change.Skipped.Select(o => o.Key).Should().Equal(Key("2025-03-12T09:30", "P7D"));
        change.Pending.Select(o => o.Key.Value).Should().Equal(
            "trial-42|R1|MOVED", "trial-42|H20250312T093000|P1D", "trial-42|H20250312T093000|P0D@07:00");
    }

    [Fact]
    public void Postpone_ThenTick_OldReminderTimesNoLongerFire()
    {
        var now = I("2025-03-10T12:00:00Z");
        var moved = Trial().Postpone(L("2025-04-04T09:30"), now, Keys(), notify: true).Schedule;

        var atOldDayBefore = SchedulePlanner.DueOccurrences([moved], I("2025-03-13T09:25:00Z"), I("2025-03-13T09:31:00Z"), Duration.FromMinutes(15));
        var rightAfterChange = SchedulePlanner.DueOccurrences([moved], now, now + Duration.FromMinutes(1), Duration.FromMinutes(15));

        atOldDayBefore.Due.Should().BeEmpty();
        atOldDayBefore.Missed.Should().BeEmpty();
        rightAfterChange.Due.Select(o => o.Key.Value).Should().Equal("trial-42|R1|MOVED");
    }

    [Fact]
    public void Postpone_Twice_WithdrawsTheUnfiredFirstNotice()
    {
        var first = Trial().Postpone(L("2025-04-04T09:30"), I("2025-03-10T12:00:00Z"), Keys(), notify: true);

        var second = first.Schedule.Postpone(L("2025-04-11T09:30"), I("2025-03-10T12:05:00Z"), Keys(), notify: true);

        second.Withdrawn.Select(o => o.Key.Value).Should().Contain("trial-42|R1|MOVED");
        second.Notice!.Key.Value.Should().Be("trial-42|R2|MOVED");
        second.Notice.PreviousEventAt!.Value.LocalDateTime.Should().Be(L("2025-04-04T09:30"));
    }

    [Fact]
    public void Postpone_BackToOriginalDate_ReusesTheOriginalKeysAndSkipsWhatIsPast()
    {
        var fired = Keys(Key("2025-03-14T09:30", "P7D"));
        var moved = Trial().Postpone(L("2025-04-04T09:30"), I("2025-03-10T12:00:00Z"), fired, notify: false).Schedule;

        var back = moved.Postpone(L("2025-03-14T09:30"), I("2025-03-11T12:00:00Z"), fired, notify: false);

        back.Skipped.Select(o => o.Key).Should().Equal(Key("2025-03-14T09:30", "P7D"));
        back.Pending.Select(o => o.Key).Should().Equal(Key("2025-03-14T09:30", "P1D"), Key("2025-03-14T09:30", "P0D@07:00"));
        back.Withdrawn.Should().HaveCount(3).And.OnlyContain(o => o.EventAt.LocalDateTime == L("2025-04-04T09:30"));
    }

    [Fact]
    public void Postpone_NewPlanKeyAlreadyClaimed_IsReportedFiredNotPending()
    {
        // A claim can exist for a key of the new plan (e.g. the same moved notice applied twice from one stored state).
        var now = I("2025-03-10T12:00:00Z");
        var claimed = Keys(OccurrenceKey.ForNotice(TrialId, 1, OccurrenceKind.HearingMoved));

        var change = Trial().Postpone(L("2025-04-04T09:30"), now, claimed, notify: true);

        change.AlreadyFired.Select(k => k.Value).Should().Equal("trial-42|R1|MOVED");
        change.Pending.Should().OnlyContain(o => o.Kind == OccurrenceKind.Reminder);
    }

    [Fact]
    public void Plan_RecomputedUnchanged_GivesSameKeys()
    {
        var moved = Trial().Postpone(L("2025-04-04T09:30"), I("2025-03-10T12:00:00Z"), Keys(), notify: true).Schedule;
        var rebuilt = new TrialSchedule(
            TrialId, L("2025-04-04T09:30"), ScheduleTime.Zone("Europe/London"), R("P7D", "P1D", "P0D@07:00"),
            I("2025-03-10T12:00:00Z"), 1, TrialStatus.Scheduled,
            new HearingNotice(OccurrenceKind.HearingMoved, 1, I("2025-03-10T12:00:00Z"), L("2025-03-14T09:30")));

        rebuilt.Should().Be(moved);
        rebuilt.Plan().Active.Should().Equal(moved.Plan().Active);
    }

    [Fact]
    public void Cancel_WithdrawsPendingAndLeavesFiredAlone()
    {
        var fired = Keys(Key("2025-03-14T09:30", "P7D"));

        var change = Trial().Cancel(I("2025-03-10T12:00:00Z"), fired, notify: false);

        change.Schedule.Status.Should().Be(TrialStatus.Cancelled);
        change.AlreadyFired.Should().Equal(Key("2025-03-14T09:30", "P7D"));
        change.Withdrawn.Select(o => o.Key).Should().Equal(Key("2025-03-14T09:30", "P1D"), Key("2025-03-14T09:30", "P0D@07:00"));
        change.Pending.Should().BeEmpty();
        change.Notice.Should().BeNull();
        change.Schedule.Plan().Active.Should().BeEmpty();
    }

    [Fact]
    public void Cancel_WithNotice_NoticeIsTheOnlyPendingOccurrence()
    {
        var now = I("2025-03-10T12:00:00Z");

        var change = Trial().Cancel(now, Keys(), notify: true);

        change.Pending.Should().ContainSingle().Which.Should().Match<ScheduledOccurrence>(o =>
            o.Key.Value == "trial-42|R1|CANCELLED" && o.Kind == OccurrenceKind.HearingCancelled && o.FireAt == now);
        change.Withdrawn.Should().HaveCount(3);
    }

    [Fact]
    public void Cancel_ThenTickAtReminderTimes_FiresNothing()
    {
        var cancelled = Trial().Cancel(I("2025-03-01T12:00:00Z"), Keys(), notify: false).Schedule;

        var due = SchedulePlanner.DueOccurrences([cancelled], I("2025-03-01T12:00:00Z"), I("2025-03-15T00:00:00Z"), Duration.FromDays(7));

        due.Due.Should().BeEmpty();
        due.Missed.Should().BeEmpty();
    }

    [Fact]
    public void Postpone_CancelledHearing_IsRejected()
    {
        var cancelled = Trial().Cancel(I("2025-03-10T12:00:00Z"), Keys(), notify: false).Schedule;

        var act = () => cancelled.Postpone(L("2025-04-04T09:30"), I("2025-03-10T13:00:00Z"), Keys(), notify: true);

        act.Should().Throw<InvalidOperationException>().WithMessage("*'trial-42' is cancelled*");
    }

    [Fact]
    public void Cancel_Twice_IsRejected()
    {
        var cancelled = Trial().Cancel(I("2025-03-10T12:00:00Z"), Keys(), notify: false).Schedule;

        var act = () => cancelled.Cancel(I("2025-03-10T13:00:00Z"), Keys(), notify: false);

        act.Should().Throw<InvalidOperationException>().WithMessage("*cancelled*");
    }

    [Fact]
    public void Postpone_ToThePast_IsRejected()
    {
        var act = () => Trial().Postpone(L("2025-03-09T09:30"), I("2025-03-10T12:00:00Z"), Keys(), notify: true);

        act.Should().Throw<ArgumentException>().WithMessage("*not after now*");
    }

    [Fact]
    public void Postpone_ToSameTime_IsRejected()
    {
        var act = () => Trial().Postpone(L("2025-03-14T09:30"), I("2025-03-10T12:00:00Z"), Keys(), notify: true);

        act.Should().Throw<ArgumentException>().WithMessage("*nothing to postpone*");
    }

    [Fact]
    public void Postpone_WithClockBeforeLastChange_IsRejected()
    {
        var moved = Trial().Postpone(L("2025-04-04T09:30"), I("2025-03-10T12:00:00Z"), Keys(), notify: true).Schedule;

        var act = () => moved.Postpone(L("2025-04-11T09:30"), I("2025-03-10T11:00:00Z"), Keys(), notify: true);

        act.Should().Throw<InvalidOperationException>().WithMessage("*back in time*");
    }

    [Fact]
    public void Postpone_ToTimeBeforeMorningOfReminder_IsRejected()
    {
        var act = () => Trial().Postpone(L("2025-04-04T06:30"), I("2025-03-10T12:00:00Z"), Keys(), notify: true);

        act.Should().Throw<ArgumentException>().WithMessage("*'P0D@07:00' would fire after the hearing at 06:30*");
    }

    [Fact]
    public void Constructor_NoticeFromAnotherRevision_IsRejected()
    {
        var act = () => new TrialSchedule(
            TrialId, L("2025-04-04T09:30"), London, R("P1D"), I("2025-03-10T12:00:00Z"), 2, TrialStatus.Scheduled,
            new HearingNotice(OccurrenceKind.HearingMoved, 1, I("2025-03-10T12:00:00Z"), L("2025-03-14T09:30")));

        act.Should().Throw<ArgumentException>().WithMessage("*revision 1*revision 2*");
    }

    [Fact]
    public void Constructor_CancelledNoticeOnScheduledHearing_IsRejected()
    {
        var act = () => new TrialSchedule(
            TrialId, L("2025-04-04T09:30"), London, R("P1D"), I("2025-03-10T12:00:00Z"), 1, TrialStatus.Scheduled,
            new HearingNotice(OccurrenceKind.HearingCancelled, 1, I("2025-03-10T12:00:00Z")));

        act.Should().Throw<ArgumentException>().WithMessage("*must be HearingMoved*");
    }

    [Fact]
    public void Plan_HearingInAqtau_UsesUtcPlusFive()
    {
        var trial = new TrialSchedule(new ScheduleId("aqtau-court"), L("2025-03-30T09:30"), Aqtau, R("P1D", "PT2H"));

        trial.Plan().Active.Select(o => o.FireAt).Should().Equal(I("2025-03-29T04:30:00Z"), I("2025-03-30T02:30:00Z"));
    }
}

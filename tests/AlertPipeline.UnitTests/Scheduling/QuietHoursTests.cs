using AlertPipeline.Core.Scheduling;
using NodaTime;
using static AlertPipeline.UnitTests.Scheduling.TestTime;

namespace AlertPipeline.UnitTests.Scheduling;

public class QuietHoursTests
{
    private static readonly QuietHours Night = new(T("21:00"), T("08:00"));

    [Theory]
    [InlineData("20:59", false)]
    [InlineData("21:00", true)]
    [InlineData("23:59", true)]
    [InlineData("00:00", true)]
    [InlineData("07:59", true)]
    [InlineData("08:00", false)]
    [InlineData("12:00", false)]
    public void Contains_NightSpanningMidnight_StartInclusiveEndExclusive(string time, bool quiet)
    {
        Night.SpansMidnight.Should().BeTrue();
        Night.Contains(T(time)).Should().Be(quiet);
    }

    [Theory]
    [InlineData("12:59", false)]
    [InlineData("13:00", true)]
    [InlineData("13:59", true)]
    [InlineData("14:00", false)]
    [InlineData("23:00", false)]
    public void Contains_DaytimeWindow_DoesNotWrap(string time, bool quiet)
    {
        new QuietHours(T("13:00"), T("14:00")).Contains(T(time)).Should().Be(quiet);
    }

    [Fact]
    public void Constructor_StartEqualsEnd_IsRejected()
    {
        var act = () => new QuietHours(T("08:00"), T("08:00"));

        act.Should().Throw<ArgumentException>().WithMessage("*both 08:00*");
    }

    [Fact]
    public void Defer_OutsideQuietHours_SendsUnchanged()
    {
        var due = I("2025-06-10T12:00:00Z");

        Night.Defer(due, London).Should().Be(new DeferResult.Send(due, Deferred: false));
    }

    [Fact]
    public void Defer_SameAlertForLondonAndAqtauContacts_GivesEachTheirOwnMorning()
    {
        // 20:30 UTC is 21:30 BST in London and 01:30 (next day, UTC+5) in Aqtau: both quiet.
        var due = I("2025-06-10T20:30:00Z");

        Night.Defer(due, London).Should().Be(new DeferResult.Send(I("2025-06-11T07:00:00Z"), Deferred: true));
        Night.Defer(due, Aqtau).Should().Be(new DeferResult.Send(I("2025-06-11T03:00:00Z"), Deferred: true));
    }

    [Fact]
    public void Defer_EveningInAqtauButAfternoonInLondon_OnlyAqtauWaits()
    {
        var due = I("2025-06-10T17:00:00Z");

        Night.Defer(due, London).Should().Be(new DeferResult.Send(due, Deferred: false));
        Night.Defer(due, Aqtau).Should().Be(new DeferResult.Send(I("2025-06-11T03:00:00Z"), Deferred: true));
    }

    [Fact]
    public void Defer_EarlyMorning_WaitsUntilEndOfQuietHoursSameDay()
    {
        Night.Defer(I("2025-01-15T05:00:00Z"), London).Should().Be(new DeferResult.Send(I("2025-01-15T08:00:00Z"), true));
    }

    [Fact]
    public void Defer_NightBeforeSpringForward_SendsAtEightBstNineHoursLater()
    {
        var due = I("2025-03-29T22:00:00Z"); // 22:00 GMT on Saturday

        var result = Night.Defer(due, London).Should().BeOfType<DeferResult.Send>().Subject;

        result.At.Should().Be(I("2025-03-30T07:00:00Z"));
        (result.At - due).Should().Be(Duration.FromHours(9));
    }

    [Fact]
    public void Defer_NightBeforeFallBack_SendsAtEightGmtElevenHoursLater()
    {
        var due = I("2025-10-25T21:00:00Z"); // 22:00 BST on Saturday

        var result = Night.Defer(due, London).Should().BeOfType<DeferResult.Send>().Subject;

        result.At.Should().Be(I("2025-10-26T08:00:00Z"));
        (result.At - due).Should().Be(Duration.FromHours(11));
    }

    [Fact]
    public void Defer_EndOfQuietHoursInDstGap_IsShiftedForwardByTheGap()
    {
        var lateNight = new QuietHours(T("23:00"), T("01:30"));

        // 01:30 on 30 March 2025 does not exist in London; it becomes 02:30 BST = 01:30 UTC.
        lateNight.Defer(I("2025-03-29T23:30:00Z"), London)
            .Should().Be(new DeferResult.Send(I("2025-03-30T01:30:00Z"), true));
    }

    [Fact]
    public void Defer_EndOfQuietHoursInOverlap_TakesTheFirstOccurrence()
    {
        var lateNight = new QuietHours(T("23:00"), T("01:30"));

        // Due 23:30 BST; 01:30 occurs first as BST (00:30 UTC), then as GMT.
        lateNight.Defer(I("2025-10-25T22:30:00Z"), London)
            .Should().Be(new DeferResult.Send(I("2025-10-26T00:30:00Z"), true));
    }

    [Fact]
    public void Defer_DuringRepeatedHourAfterFirstEnd_WaitsForTheSecondOccurrence()
    {
        var lateNight = new QuietHours(T("23:00"), T("01:30"));

        // 01:10 UTC is 01:10 GMT, in the repeated hour: the clock next reads 01:30 at 01:30 GMT.
        lateNight.Defer(I("2025-10-26T01:10:00Z"), London)
            .Should().Be(new DeferResult.Send(I("2025-10-26T01:30:00Z"), true));
    }

    [Fact]
    public void Defer_DeferredPastExpiry_IsExpiredNotDropped()
    {
        var due = I("2025-06-10T20:30:00Z");
        var expiry = I("2025-06-11T06:00:00Z");

        Night.Defer(due, London, expiry).Should().Be(new DeferResult.Expired(I("2025-06-11T07:00:00Z"), expiry));
        Night.Defer(due, Aqtau, expiry).Should().Be(new DeferResult.Send(I("2025-06-11T03:00:00Z"), true));
    }

    [Fact]
    public void Defer_DeferredExactlyToExpiry_IsSent()
    {
        var expiry = I("2025-06-11T07:00:00Z");

        Night.Defer(I("2025-06-10T20:30:00Z"), London, expiry).Should().Be(new DeferResult.Send(expiry, true));
    }

    [Fact]
    public void Defer_DueAlreadyPastExpiry_IsExpiredEvenOutsideQuietHours()
    {
        var due = I("2025-06-10T12:00:00Z");
        var expiry = I("2025-06-10T11:00:00Z");

        Night.Defer(due, London, expiry).Should().Be(new DeferResult.Expired(due, expiry));
    }

    [Fact]
    public void IsQuietAt_SameInstant_DependsOnContactZone()
    {
        var instant = I("2025-12-16T17:00:00Z");

        Night.IsQuietAt(instant, London).Should().BeFalse();
        Night.IsQuietAt(instant, Aqtau).Should().BeTrue();
    }
}

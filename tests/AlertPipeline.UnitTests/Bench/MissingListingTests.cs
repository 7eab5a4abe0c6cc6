using AlertPipeline.Testing.Faults;

namespace AlertPipeline.UnitTests.Bench;

/// <summary>The fault harness's listing of missing deliveries: each with its cut, the faults around its last step and a likely cause.</summary>
public sealed class MissingListingTests
{
    private const string SenderStopped = "smtp-unconfirmed: the sender stopped after handing the message over; not re-sent";
    private const string ReplyLost = "smtp-unconfirmed: connection lost after the message was handed over; not re-sent";

    private static MissingRow Email(string reference, string reason, double? marked, double? claimed = null) =>
        new(reference, "email", "Sent without a message (email, unconfirmed)", "Sent", reason, null, 1, claimed ?? marked, claimed ?? marked, marked, marked, marked);

    private static readonly FaultEvent[] Events =
    [
        new(10.0, "kill", "#1 worker at 10.0 s"),
        new(20.0, "storm", string.Empty, 25.0),
        new(22.0, "smtp:DropAfterData", MissingListing.CutDetail("a~email~cut", "250 OK")),
        new(23.0, "smtp:DropAfterData", MissingListing.CutDetail("a~email~noanswer", null)),
        new(24.0, "smtp:DropBeforeData", string.Empty),
        new(40.0, "kill", "#2 host at 40.0 s"),
        new(60.0, "azurite restart", "at 60.0 s"),
    ];

    [Fact]
    public void Describe_ACutAfterTheDataOfTheRowsSession_IsTheCauseWithTheServersAnswer()
    {
        var listed = MissingListing.Describe([Email("a~email~cut", ReplyLost, 21.9), Email("a~email~noanswer", ReplyLost, 22.9)], Events);

        listed[0].SmtpCut.Should().Be("DropAfterData at 22.0 s, server answered \"250 OK\"");
        listed[0].Cause.Should().Be("smtp cut after the data, server answered \"250 OK\"");
        listed[0].Storm.Should().Be("storm 20.0 s–25.0 s");
        listed[0].FaultBefore.Should().Be("kill #1 worker at 10.0 s, 11.9 s before");
        listed[0].FaultAfter.Should().Be("kill #2 host at 40.0 s, 18.1 s after");
        listed[1].Cause.Should().Be("smtp cut after the data, no server answer");
    }

    [Fact]
    public void Describe_ASenderGoneAfterItsEndOfData_SaysSoWithTheServersAnswer()
    {
        var listed = MissingListing.Describe(
            [Email("a~email~gone", SenderStopped, 39.9)],
            [.. Events, new FaultEvent(40.2, "smtp:ClientGoneAfterEndOfData", MissingListing.CutDetail("a~email~gone", "250 OK"))]);

        listed[0].Cause.Should().Be("sender gone after its end of data, server answered \"250 OK\"", "the proxy's log of the session says more than the kill's timing");
        listed[0].SmtpCut.Should().Be("ClientGoneAfterEndOfData at 40.2 s, server answered \"250 OK\"");
    }

    [Fact]
    public void Describe_AStaleMarkedClaimJustBeforeAKill_IsTheKillWindow()
    {
        var listed = MissingListing.Describe([Email("a~email~killed", SenderStopped, 39.97), Email("a~email~stale", SenderStopped, 1.0)], [.. Events.Where(e => e.Kind != "kill" || e.At > 30)]);

        listed[0].Cause.Should().Be("sender stopped: kill/restart 30 ms after the mark");
        listed[0].FaultAfter.Should().Be("kill #2 host at 40.0 s, 30 ms after");
        listed[0].SmtpCut.Should().BeNull();
        listed[0].Storm.Should().BeNull();
        listed[1].Cause.Should().Be("sender stopped after the mark, no kill within 30.0 s");
        listed[1].FaultBefore.Should().BeNull();
    }

    [Fact]
    public void Describe_AMarkJustAfterAHostKill_IsTheWorkerThatOutlivedItsHost()
    {
        var listed = MissingListing.Describe([Email("a~email~late", SenderStopped, 40.15), Email("a~email~worker", SenderStopped, 10.15)], Events);

        listed[0].Cause.Should().Be("sender stopped: host killed 150 ms before the mark, its worker just after");
        listed[1].Cause.Should().Be("sender stopped: kill/restart 29.9 s after the mark", "only a host kill leaves its worker running a moment");
    }

    [Fact]
    public void Describe_AMarkStoredAfterTheKill_WasInFlightWhenTheWorkerDied()
    {
        var listed = MissingListing.Describe(
        [
            Email("a~email~inflight", SenderStopped, 39.73) with { HandoverStoredAt = 40.12 },
            Email("a~email~stored", SenderStopped, 39.5) with { HandoverStoredAt = 39.8 },
            Email("a~email~answered", SenderStopped, 39.5) with { HandoverStoredAt = 39.6, MarkAnsweredAt = 39.65 },
            Email("a~email~hostgone", SenderStopped, 40.05) with { HandoverStoredAt = 40.3 },
        ], Events);

        listed[0].Cause.Should().Be("sender stopped: mark in flight at the stop (stored 120 ms after it, requested 270 ms before)");
        listed[1].Cause.Should().Be("sender stopped: mark stored 200 ms before the stop, no answer logged, requested 500 ms before");
        listed[2].Cause.Should().Be("sender stopped: mark answered 350 ms before the stop, end of data not answered, requested 500 ms before");
        listed[3].Cause.Should().StartWith("sender stopped: mark in flight at the stop (stored 300 ms after it", "a host kill just before the mark is the stop: its worker dies right after");
        MissingListing.Format(listed).Should().Contain("    2  sender stopped: mark in flight at the stop (stored after it)")
            .And.Contain("    1  sender stopped: mark stored before the stop, no answer logged")
            .And.Contain("    1  sender stopped: mark answered, end of data not answered")
            .And.Contain("a~email~answered | email | Sent | " + SenderStopped + " | 1 | 39.50 / 39.50 / 39.60 / 39.65 / - / 39.50 |");
    }

    [Fact]
    public void Describe_NoRowAndUnsettledRows_SayWhatTheyAre()
    {
        var listed = MissingListing.Describe(
        [
            new MissingRow("a~sms~1", "sms", "no row", "no row", null, null, 0, null, null, null, null, null),
            new MissingRow("a~sms~2", "sms", "unsettled (Pending/Sending)", "Sending", null, null, 2, 5, 30, null, null, 30),
            new MissingRow("a~sms~3", "sms", "Sent without a message (sms)", "Sent", null, null, 1, 5, 5, null, 6, 6),
        ], Events);

        listed.Select(m => m.Cause).Should().Equal("no row (the fan-out never wrote it)", "unsettled at the end of the run", "Sent without a message (sms)");
        listed[0].FaultBefore.Should().BeNull("a row never written has no step to place the faults against");
        listed[1].FaultBefore.Should().Be("kill #1 worker at 10.0 s, 20.0 s before", "the step of a row without a mark is its claim");
    }

    [Fact]
    public void Format_CountsByCauseThenOneLinePerDelivery()
    {
        var listed = MissingListing.Describe(
            [Email("a~email~cut", ReplyLost, 21.9), Email("a~email~k1", SenderStopped, 39.9), Email("a~email~k2", SenderStopped, 39.5), Email("a~email~k3", SenderStopped, 35.0)],
            Events);

        var text = MissingListing.Format(listed, max: 3);

        text.Should().Contain("missing deliveries, by likely cause (4):")
            .And.Contain("    2  sender stopped: kill/restart under 1 s after the mark")
            .And.Contain("    1  sender stopped: kill/restart 1 s or more after the mark")
            .And.Contain("    1  smtp cut after the data, server answered 2xx")
            .And.Contain("a~email~cut | email | Sent | " + ReplyLost + " | 1 | 21.90 / 21.90 / - / - / - / 21.90 | DropAfterData at 22.0 s, server answered \"250 OK\"")
            .And.Contain("… 1 more in report.json")
            .And.NotContain("a~email~k3 |");
    }

    [Theory]
    [InlineData("From: a@b.example\r\nX-AlertPipeline-Delivery: alert-1~email~abc\r\nSubject: s\r\n\r\nbody", "alert-1~email~abc")]
    [InlineData("x-alertpipeline-delivery:  alert-1~email~abc\r\n\r\n", "alert-1~email~abc")]
    [InlineData("X-AlertPipeline-Delivery: alert-1~email~\r\n abc\r\nTo: x\r\n", "alert-1~email~ abc")]
    [InlineData("From: a@b.example\r\nX-AlertPipeline-Delivery: alert-1~em", null)]
    [InlineData("From: a@b.example\r\nX-AlertPipeline-Delivery: alert-1~email~abc\r\n", null)]
    [InlineData("From: a@b.example\r\n\r\nX-AlertPipeline-Delivery: in-the-body\r\n\r\n", null)]
    public void ReferenceIn_ReadsTheDeliveryHeaderOnceItsLineIsComplete(string start, string? expected) =>
        SmtpFaultProxy.ReferenceIn(start).Should().Be(expected);
}

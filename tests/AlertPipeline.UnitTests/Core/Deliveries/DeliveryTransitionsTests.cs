using AlertPipeline.Core.Deliveries;
using static AlertPipeline.Core.Deliveries.DeliveryStatus;

namespace AlertPipeline.UnitTests.Core.Deliveries;

public class DeliveryTransitionsTests
{
    private static readonly (DeliveryStatus From, DeliveryStatus To)[] Allowed =
    [
        (Pending, Sending), (Pending, Skipped),
        (Sending, Sent), (Sending, Delivered), (Sending, Undelivered), (Sending, Failed), (Sending, Skipped),
        (Sent, Delivered), (Sent, Undelivered), (Sent, Failed),
    ];

    [Fact]
    public void KeepsAddress_OnlyWhileTheRowMayStillBeSent()
    {
        Enum.GetValues<DeliveryStatus>().Where(DeliveryTransitions.KeepsAddress).Should().Equal(Pending, Sending);
    }

    [Fact]
    public void WithoutSpentAddress_DropsTheAddressAndContactSnapshotOfEveryStatusAfterSending()
    {
        var row = new DeliveryRecord
        {
            Key = new AlertPipeline.Core.Alerts.DeliveryKey(AlertPipeline.Core.Alerts.AlertId.Parse(new string('a', 32)), AlertPipeline.Core.Contacts.Channel.Sms,
                AlertPipeline.Core.Alerts.RecipientHash.Parse(new string('b', 32))),
            Status = Pending, Address = "+447700900123", CreatedAt = NodaTime.Instant.FromUnixTimeSeconds(0),
            Snapshot = new ContactSnapshot("Aigul", AlertPipeline.Core.Contacts.LanguageTag.English, AlertPipeline.Core.Contacts.TimeZoneId.Utc),
        };

        foreach (var status in Enum.GetValues<DeliveryStatus>())
        {
            var spent = (row with { Status = status }).WithoutSpentAddress();
            spent.Address.Should().Be(status is Pending or Sending ? "+447700900123" : null, status.ToString());
            spent.Snapshot.Should().Be(status is Pending or Sending ? row.Snapshot : null, "the name leaves with the number ({0})", status);
        }

        (row with { Status = Sent, Address = null }).WithoutSpentAddress().Snapshot.Should().BeNull("a snapshot without an address is dropped too");
    }

    [Fact]
    public void CanMove_AllowsExactlyTheDocumentedTransitions()
    {
        foreach (var from in Enum.GetValues<DeliveryStatus>())
        {
            foreach (var to in Enum.GetValues<DeliveryStatus>())
            {
                DeliveryTransitions.CanMove(from, to).Should().Be(Allowed.Contains((from, to)), $"{from} -> {to}");
            }
        }
    }

    [Theory]
    [InlineData(Delivered)]
    [InlineData(Undelivered)]
    [InlineData(Failed)]
    [InlineData(Skipped)]
    public void Apply_TerminalStatus_NeverChanges(DeliveryStatus terminal)
    {
        DeliveryTransitions.IsTerminal(terminal).Should().BeTrue();
        foreach (var incoming in Enum.GetValues<DeliveryStatus>())
        {
            DeliveryTransitions.Apply(terminal, incoming).Should().Be(new DeliveryTransition(terminal, false));
        }
    }

    [Fact]
    public void Apply_DeliveredBeforeSent_MovesStraightToDeliveredAndLateSentChangesNothing()
    {
        var afterCallback = DeliveryTransitions.Apply(Sending, Delivered);
        var afterOurSentWrite = DeliveryTransitions.Apply(afterCallback.Status, Sent);

        afterCallback.Should().Be(new DeliveryTransition(Delivered, true));
        afterOurSentWrite.Should().Be(new DeliveryTransition(Delivered, false));
    }

    [Fact]
    public void Apply_UndeliveredThenDelivered_KeepsUndelivered()
    {
        var first = DeliveryTransitions.Apply(Sent, Undelivered);

        DeliveryTransitions.Apply(first.Status, Delivered).Should().Be(new DeliveryTransition(Undelivered, false));
    }

    [Theory]
    [InlineData(Pending)]
    [InlineData(Sending)]
    [InlineData(Sent)]
    public void Apply_Duplicate_ChangesNothing(DeliveryStatus status)
    {
        DeliveryTransitions.Apply(status, status).Should().Be(new DeliveryTransition(status, false));
    }

    [Fact]
    public void Apply_Backwards_ChangesNothing()
    {
        DeliveryTransitions.Apply(Sent, Sending).Changed.Should().BeFalse();
        DeliveryTransitions.Apply(Sending, Pending).Changed.Should().BeFalse();
        DeliveryTransitions.Apply(Sent, Pending).Status.Should().Be(Sent);
    }

    [Fact]
    public void Apply_SkippedOnlyBeforeTheProviderHasIt()
    {
        DeliveryTransitions.Apply(Pending, Skipped).Should().Be(new DeliveryTransition(Skipped, true));
        DeliveryTransitions.Apply(Sending, Skipped).Should().Be(new DeliveryTransition(Skipped, true));
        DeliveryTransitions.Apply(Sent, Skipped).Should().Be(new DeliveryTransition(Sent, false));
    }

    [Fact]
    public void Apply_AnyOrderOfCallbacks_EndsInTheFirstTerminalReached()
    {
        DeliveryStatus[] callbacks = [Sent, Delivered, Sent, Undelivered, Failed, Delivered];
        var status = Sending;
        foreach (var incoming in callbacks)
        {
            status = DeliveryTransitions.Apply(status, incoming).Status;
        }

        status.Should().Be(Delivered);
    }
}

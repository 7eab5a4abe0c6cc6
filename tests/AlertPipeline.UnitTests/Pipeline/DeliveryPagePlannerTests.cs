using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using Moq;
using NodaTime;

namespace AlertPipeline.UnitTests.Pipeline;

/// <summary>The planner with an opt-out snapshot (a preview) gives the rows the per-page lookup (fan-out) gives, without asking the store.</summary>
public sealed class DeliveryPagePlannerTests
{
    private readonly PipelineWorld _world = new();

    [Fact]
    public async Task Plan_WithAnOptOutSnapshot_SkipsTheSameRowsAsThePerPageLookup_AndNeverAsksTheStore()
    {
        _world.AddContact(PipelineWorld.Kz, PipelineWorld.Aqtau, "c1", "+447700900001", "c1@example.org");
        _world.AddContact(PipelineWorld.Kz, PipelineWorld.Aqtau, "c2", "+447700900002", "c2@example.org");
        _world.AddContact(PipelineWorld.Kz, PipelineWorld.Aqtau, "c3", "+447700900003");
        var alert = _world.StoreAlert();
        _world.OptedOut.Add((_world.KeyFor(alert, Channel.Sms, "+447700900002").Recipient, Channel.Sms));
        _world.OptedOut.Add((_world.KeyFor(alert, Channel.Email, "c1@example.org").Recipient, Channel.Email));
        var now = Instant.FromDateTimeOffset(PipelineWorld.Start);

        var perPage = await new DeliveryPagePlanner(_world.OptOuts.Object, _world.Hasher).PlanAsync(alert, PipelineWorld.Kz, PipelineWorld.Aqtau, _world.Contacts, now, null, default);
        var store = new Mock<IOptOutStore>(MockBehavior.Strict);
        var snapshot = new Dictionary<Channel, IReadOnlySet<RecipientHash>>
        {
            [Channel.Sms] = _world.OptedOut.Where(o => o.Item2 == Channel.Sms).Select(o => o.Item1).ToHashSet(),
            [Channel.Email] = _world.OptedOut.Where(o => o.Item2 == Channel.Email).Select(o => o.Item1).ToHashSet(),
        };
        var withSnapshot = await new DeliveryPagePlanner(store.Object, _world.Hasher).PlanAsync(alert, PipelineWorld.Kz, PipelineWorld.Aqtau, _world.Contacts, now, null, snapshot, default);

        withSnapshot.Rows.Should().Equal(perPage.Rows);
        withSnapshot.Rows.Where(r => r.SkipReason == SkipReason.OptedOut).Select(r => r.Channel).Should().BeEquivalentTo([Channel.Sms, Channel.Email], "one SMS and one email opt-out");
    }

    [Fact]
    public async Task ReadOptOuts_ReadsEachChannelOnce()
    {
        var store = new Mock<IOptOutStore>(MockBehavior.Strict);
        var stopped = _world.Hasher.Hash(PhoneNumber.Parse("+447700900009"));
        store.Setup(s => s.GetOptedOutAsync(Channel.Sms, It.IsAny<CancellationToken>())).ReturnsAsync(new HashSet<RecipientHash> { stopped });
        store.Setup(s => s.GetOptedOutAsync(Channel.Email, It.IsAny<CancellationToken>())).ReturnsAsync(new HashSet<RecipientHash>());

        var optOuts = await new DeliveryPagePlanner(store.Object, _world.Hasher).ReadOptOutsAsync([Channel.Sms, Channel.Email, Channel.Sms], default);

        optOuts[Channel.Sms].Should().BeEquivalentTo([stopped]);
        optOuts[Channel.Email].Should().BeEmpty();
        store.Verify(s => s.GetOptedOutAsync(Channel.Sms, It.IsAny<CancellationToken>()), Times.Once);
    }
}

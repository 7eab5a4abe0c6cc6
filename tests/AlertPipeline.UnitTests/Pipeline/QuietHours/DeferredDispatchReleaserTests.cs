using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using NodaTime;

namespace AlertPipeline.UnitTests.Pipeline.QuietHours;

/// <summary>The release decisions over an in-memory entry table and the world's delivery rows.</summary>
public sealed class DeferredDispatchReleaserTests
{
    private readonly PipelineWorld _world = new();
    private readonly InMemoryDeferredDispatchStore _store = new();

    private DeferredDispatchReleaser Releaser => new(_store, _world.Deliveries.Object, _world.Dispatch.Object, _world.Options, _world.Time);

    private Instant Now => Instant.FromDateTimeOffset(_world.Time.GetUtcNow());

    [Fact]
    public async Task Release_RowGone_EntryRemovedWithoutEmitting()
    {
        var alert = _world.StoreAlert();
        var key = _world.KeyFor(alert, Channel.Sms, "+447700900101");
        await _store.AddAsync([new DeferredDispatch(key, Now, Now, Releases: 1, ReleasedAt: Now)]);

        var result = await Releaser.ReleaseAsync(default);

        result.Dispatched.Should().Be(0);
        _world.Dispatched.Should().BeEmpty();
        result.Removed.Should().Be(1);
        _store.Entries.Should().BeEmpty();
    }

    [Fact]
    public async Task Release_RowNotBeforeStillAhead_EntryPostponedThere()
    {
        var alert = _world.StoreAlert();
        var key = _world.KeyFor(alert, Channel.Sms, "+447700900101");
        var later = Now + Duration.FromHours(2);
        await _world.Deliveries.Object.AddNewAsync(alert.AlertId, [new DeliveryRecord
        {
            Key = key, Status = DeliveryStatus.Pending, Address = "+447700900101", CreatedAt = Now, NotBefore = later,
        }]);
        await _store.AddAsync([new DeferredDispatch(key, Now, Now, Releases: 1, ReleasedAt: Now)]);

        var result = await Releaser.ReleaseAsync(default);

        result.Dispatched.Should().Be(0, "the row says not yet");
        _world.Dispatched.Should().BeEmpty();
        result.Postponed.Should().Be(1);
        _store.Entries.Should().ContainSingle().Which.DueAt.Should().Be(later);
    }

    [Fact]
    public async Task Release_RowStillPendingAfterManyReleases_RecheckIntervalCappedAtAnHour()
    {
        var alert = _world.StoreAlert();
        var key = _world.KeyFor(alert, Channel.Sms, "+447700900101");
        await _world.Deliveries.Object.AddNewAsync(alert.AlertId, [new DeliveryRecord
        {
            Key = key, Status = DeliveryStatus.Pending, Address = "+447700900101", CreatedAt = Now, NotBefore = Now,
        }]);
        await _store.AddAsync([new DeferredDispatch(key, Now, Now, Releases: 7, ReleasedAt: Now)]);

        var result = await Releaser.ReleaseAsync(default);

        result.Reemitted.Should().Be(1);
        (result.Dispatched, result.Batches).Should().Be((1, 1));
        _world.Dispatched.Should().ContainSingle().Which.Should().Match<DispatchBatch>(b => b.Keys.Single() == key && b.NotBefore == null);
        var minute = Instant.FromUnixTimeSeconds(Now.ToUnixTimeSeconds() / 60 * 60);
        _store.Entries.Should().ContainSingle().Which.Should().Match<DeferredDispatch>(e => e.Releases == 8 && e.DueAt == minute + Duration.FromHours(1));
    }
}

using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moq;

namespace AlertPipeline.UnitTests.Api;

/// <summary>
/// <see cref="LookupCache{TKey,TValue}"/> and <see cref="ApiLookupCache"/> on a clock that moves only when told: hits,
/// expiry, refresh in the second half of an entry's life, single flight, eviction, capacity, off; and the API's caches
/// keyed so that no entry is shared across unions.
/// </summary>
public sealed class LookupCacheTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);
    private readonly ManualTimeProvider _time = new();

    private LookupCache<string, string> Cache(int capacity = 100, TimeSpan? lifetime = null) => new(lifetime ?? Lifetime, capacity, _time);

    [Fact]
    public async Task GetAsync_WithinTheFirstHalfOfItsLife_AnswersFromTheEntryWithoutReading()
    {
        var cache = Cache();
        var reads = new Reads();

        (await cache.GetAsync("k", reads.Next("v1"))).Should().Be("v1");
        _time.Advance(TimeSpan.FromSeconds(4.9));
        (await cache.GetAsync("k", reads.Next("v2"))).Should().Be("v1");

        reads.Count.Should().Be(1);
    }

    [Fact]
    public async Task GetAsync_AfterItsLifetime_ReadsAgainAndWaitsForTheRead()
    {
        var cache = Cache();
        var reads = new Reads();
        await cache.GetAsync("k", reads.Next("v1"));
        _time.Advance(Lifetime);
        var second = new TaskCompletionSource<string?>();

        var asked = cache.GetAsync("k", _ => second.Task);

        asked.IsCompleted.Should().BeFalse("an expired entry never answers, not even while its replacement is read");
        second.SetResult("v2");
        (await asked).Should().Be("v2");
    }

    [Fact]
    public async Task GetAsync_InTheSecondHalfOfItsLife_AnswersAtOnceAndRefreshesOnceInTheBackground()
    {
        var cache = Cache();
        await cache.GetAsync("k", _ => Task.FromResult<string?>("v1"));
        _time.Advance(TimeSpan.FromSeconds(6));
        var refresh = new TaskCompletionSource<string?>();
        var refreshes = 0;
        Func<CancellationToken, Task<string?>> read = _ =>
        {
            refreshes++;
            return refresh.Task;
        };

        (await cache.GetAsync("k", read)).Should().Be("v1", "answered from the entry while the refresh reads");
        (await cache.GetAsync("k", read)).Should().Be("v1");
        refreshes.Should().Be(1, "one refresh per entry however many ask");

        refresh.SetResult("v2");
        await Poll.UntilAsync(async () => await cache.GetAsync("k", read) == "v2", "the refreshed value to answer");
        _time.Advance(TimeSpan.FromSeconds(4.9));
        (await cache.GetAsync("k", _ => throw new InvalidOperationException("not read: the refresh's life counts from its own read")))
            .Should().Be("v2", "past the first read's lifetime, in the first half of the refresh's");
    }

    [Fact]
    public async Task GetAsync_ConcurrentAsksForTheSameEntry_ShareOneRead()
    {
        var cache = Cache();
        var read = new TaskCompletionSource<string?>();
        var reads = 0;

        var asks = Enumerable.Range(0, 5).Select(_ => cache.GetAsync("k", _ =>
        {
            Interlocked.Increment(ref reads);
            return read.Task;
        })).ToList();
        read.SetResult("v");

        (await Task.WhenAll(asks)).Should().AllBe("v");
        reads.Should().Be(1);
    }

    [Fact]
    public async Task GetAsync_AnAskerGivesUp_TheSharedReadGoesOnAndIsKeptForTheNext()
    {
        var cache = Cache();
        var read = new TaskCompletionSource<string?>();
        CancellationToken readToken = default;
        using var cancel = new CancellationTokenSource();

        var first = cache.GetAsync("k", token =>
        {
            readToken = token;
            return read.Task;
        }, cancel.Token);
        var second = cache.GetAsync("k", _ => throw new InvalidOperationException("joins the read in flight"));
        await cancel.CancelAsync();

        await first.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        readToken.IsCancellationRequested.Should().BeFalse("the read is not the asker's");
        read.SetResult("v");
        (await second).Should().Be("v");
        (await cache.GetAsync("k", _ => throw new InvalidOperationException("kept"))).Should().Be("v");
    }

    [Fact]
    public async Task GetAsync_SharedReadHungPastTheGiveUp_IsCancelledAndTheNextAskReadsAgain()
    {
        var cache = Cache();
        var hung = cache.GetAsync("k", async token =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return "never";
        });

        _time.Advance(LookupCache<string, string>.ReadGiveUpAfter);

        await hung.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        (await cache.GetAsync("k", _ => Task.FromResult<string?>("v"))).Should().Be("v");
    }

    [Fact]
    public async Task GetAsync_ReadFails_EveryWaiterSeesTheFailureAndNothingIsKept()
    {
        var cache = Cache();
        var read = new TaskCompletionSource<string?>();
        var first = cache.GetAsync("k", _ => read.Task);
        var second = cache.GetAsync("k", _ => throw new InvalidOperationException("joins"));

        read.SetException(new TimeoutException("table busy"));

        await first.Invoking(t => t).Should().ThrowAsync<TimeoutException>();
        await second.Invoking(t => t).Should().ThrowAsync<TimeoutException>();
        (await cache.GetAsync("k", _ => Task.FromResult<string?>("v"))).Should().Be("v", "a failure is not kept");
    }

    [Fact]
    public async Task GetAsync_NothingFound_IsNotKept()
    {
        var cache = Cache();

        (await cache.GetAsync("k", _ => Task.FromResult<string?>(null))).Should().BeNull();

        (await cache.GetAsync("k", _ => Task.FromResult<string?>("created meanwhile"))).Should().Be("created meanwhile");
        cache.Count.Should().Be(1);
    }

    [Fact]
    public async Task Refresh_Fails_TheEntryAnswersUntilItsLifetimeAndNeverAfter()
    {
        var cache = Cache();
        await cache.GetAsync("k", _ => Task.FromResult<string?>("v1"));
        _time.Advance(TimeSpan.FromSeconds(6));

        (await cache.GetAsync("k", _ => Task.FromException<string?>(new TimeoutException("table busy")))).Should().Be("v1");
        _time.Advance(TimeSpan.FromSeconds(3.9));
        (await cache.GetAsync("k", _ => throw new InvalidOperationException("refreshed once already"))).Should().Be("v1");
        _time.Advance(TimeSpan.FromSeconds(0.1));

        await cache.Invoking(c => c.GetAsync("k", _ => Task.FromException<string?>(new TimeoutException("still busy"))))
            .Should().ThrowAsync<TimeoutException>("no stale answer past the lifetime, even when the table cannot be read");
    }

    [Fact]
    public async Task Evict_AKeptEntry_TheNextAskReads()
    {
        var cache = Cache();
        await cache.GetAsync("k", _ => Task.FromResult<string?>("before"));

        cache.Evict("k");

        (await cache.GetAsync("k", _ => Task.FromResult<string?>("after"))).Should().Be("after");
    }

    [Fact]
    public async Task Evict_WhileTheReadIsInFlight_ThatReadIsNotKept()
    {
        var cache = Cache();
        var stale = new TaskCompletionSource<string?>();
        var inFlight = cache.GetAsync("k", _ => stale.Task);

        cache.Evict("k");
        stale.SetResult("read before the change");

        (await inFlight).Should().Be("read before the change", "it was asked before the change");
        (await cache.GetAsync("k", _ => Task.FromResult<string?>("after"))).Should().Be("after");
    }

    [Fact]
    public async Task Evict_WhileARefreshIsInFlight_TheRefreshIsNotKept()
    {
        var cache = Cache();
        await cache.GetAsync("k", _ => Task.FromResult<string?>("v1"));
        _time.Advance(TimeSpan.FromSeconds(6));
        var refresh = new TaskCompletionSource<string?>();
        await cache.GetAsync("k", _ => refresh.Task);

        cache.Evict("k");
        refresh.SetResult("read before the change");
        var after = await cache.GetAsync("k", _ => Task.FromResult<string?>("after"));

        after.Should().Be("after");
        (await cache.GetAsync("k", _ => throw new InvalidOperationException("kept"))).Should().Be("after");
    }

    [Fact]
    public async Task EvictWhere_ForgetsOnlyTheMatchingEntries()
    {
        var cache = Cache();
        await cache.GetAsync("a1", _ => Task.FromResult<string?>("a1"));
        await cache.GetAsync("b1", _ => Task.FromResult<string?>("b1"));

        cache.EvictWhere(k => k.StartsWith('a'));

        (await cache.GetAsync("a1", _ => Task.FromResult<string?>("a1 again"))).Should().Be("a1 again");
        (await cache.GetAsync("b1", _ => throw new InvalidOperationException("kept"))).Should().Be("b1");
    }

    [Fact]
    public async Task GetAsync_Full_DropsTheExpiredFirstThenTheEntryClosestToExpiry()
    {
        var cache = Cache(capacity: 2);
        await cache.GetAsync("old", _ => Task.FromResult<string?>("old"));
        _time.Advance(TimeSpan.FromSeconds(3));
        await cache.GetAsync("newer", _ => Task.FromResult<string?>("newer"));

        await cache.GetAsync("third", _ => Task.FromResult<string?>("third"));

        cache.Count.Should().Be(2);
        (await cache.GetAsync("newer", _ => throw new InvalidOperationException("kept"))).Should().Be("newer");
        (await cache.GetAsync("old", _ => Task.FromResult<string?>("old again"))).Should().Be("old again", "the oldest went");

        _time.Advance(Lifetime);
        await cache.GetAsync("fourth", _ => Task.FromResult<string?>("fourth"));
        cache.Count.Should().BeLessThanOrEqualTo(2);
    }

    [Fact]
    public async Task LifetimeZero_EveryAskReadsWithTheCallersCancellation()
    {
        var cache = Cache(lifetime: TimeSpan.Zero);
        var reads = new Reads();
        using var cancel = new CancellationTokenSource();
        CancellationToken seen = default;

        await cache.GetAsync("k", token =>
        {
            seen = token;
            return Task.FromResult<string?>("v1");
        }, cancel.Token);
        await cache.GetAsync("k", reads.Next("v2"));
        await cache.GetAsync("k", reads.Next("v3"));

        cache.Enabled.Should().BeFalse();
        seen.Should().Be(cancel.Token);
        reads.Count.Should().Be(2);
        cache.Count.Should().Be(0);
    }

    [Fact]
    public async Task ApiLookupCache_KeyChanged_ForgetsTheKeysWithThatIdOnly()
    {
        var lookups = new ApiLookupCache(new ApiOptions(), _time);
        var revoked = ApiKeyService.Hash("apk_revoked");
        var other = ApiKeyService.Hash("apk_other");
        await lookups.Keys.GetAsync(revoked, _ => Task.FromResult<ApiKeyRecord?>(Key(revoked, revokedAt: null)));
        await lookups.Keys.GetAsync(other, _ => Task.FromResult<ApiKeyRecord?>(Key(other, revokedAt: null)));

        lookups.KeyChanged(revoked[..16]);

        (await lookups.Keys.GetAsync(revoked, _ => Task.FromResult<ApiKeyRecord?>(Key(revoked, revokedAt: _time.GetUtcNow()))))!.IsRevoked.Should().BeTrue();
        (await lookups.Keys.GetAsync(other, _ => throw new InvalidOperationException("kept")))!.IsRevoked.Should().BeFalse();
    }

    [Fact]
    public async Task ApiLookupCache_ProgressChanged_ForgetsThatAlertsProgressForEveryUnionOnly()
    {
        var lookups = new ApiLookupCache(new ApiOptions(), _time);
        var (owner, subscriber) = (UnionId.Parse("owner"), UnionId.Parse("subscriber"));
        var (reset, other) = (AlertId.Parse(new string('a', 32)), AlertId.Parse(new string('b', 32)));
        RedriveProgress Progress(int givenUp) => new(new(0, givenUp), new(0, 0), new(0, 0));
        foreach (var key in new[] { (owner, reset), (subscriber, reset), (owner, other) })
        {
            await lookups.Progress.GetAsync(key, _ => Task.FromResult<RedriveProgress?>(Progress(givenUp: 2)));
        }

        lookups.ProgressChanged(reset);

        (await lookups.Progress.GetAsync((owner, reset), _ => Task.FromResult<RedriveProgress?>(Progress(givenUp: 0))))!.FanOut.GivenUp.Should().Be(0);
        (await lookups.Progress.GetAsync((subscriber, reset), _ => Task.FromResult<RedriveProgress?>(Progress(givenUp: 0))))!.FanOut.GivenUp.Should().Be(0);
        (await lookups.Progress.GetAsync((owner, other), _ => throw new InvalidOperationException("kept")))!.FanOut.GivenUp.Should().Be(2);
    }

    [Fact]
    public async Task ApiLookupCache_RolesAndAlerts_AreNeverSharedAcrossUnions_AndACampaignChangeForgetsEveryUnionsRole()
    {
        var lookups = new ApiLookupCache(new ApiOptions(), _time);
        var owner = UnionId.Parse("owner");
        var outsider = UnionId.Parse("outsider");
        var campaign = new Campaign(CampaignId.Parse("camp"), "Campaign", "help@example.org", LanguageTag.Parse("en")) { OwnerUnionId = owner };
        await lookups.Roles.GetAsync((owner, campaign.CampaignId), _ => Task.FromResult<CampaignRoleOf?>(new(campaign, CampaignRole.Owner)));

        var outsiders = await lookups.Roles.GetAsync((outsider, campaign.CampaignId), _ => Task.FromResult<CampaignRoleOf?>(new(campaign, CampaignRole.None)));

        outsiders!.Role.Should().Be(CampaignRole.None, "read for the outsider, not the owner's entry");
        lookups.CampaignChanged(campaign.CampaignId);
        (await lookups.Roles.GetAsync((owner, campaign.CampaignId), _ => Task.FromResult<CampaignRoleOf?>(new(campaign, CampaignRole.Subscriber))))!
            .Role.Should().Be(CampaignRole.Subscriber);
        (await lookups.Roles.GetAsync((outsider, campaign.CampaignId), _ => Task.FromResult<CampaignRoleOf?>(new(campaign, CampaignRole.Subscriber))))!
            .Role.Should().Be(CampaignRole.Subscriber);

        var alertId = AlertId.Parse(new string('a', 32));
        var store = new Mock<IAlertStore>(MockBehavior.Strict);
        store.Setup(s => s.GetAsync(alertId, It.IsAny<CancellationToken>())).ReturnsAsync((AlertRecord?)null);
        await lookups.GetAlertAsync(owner, alertId, store.Object, default);
        await lookups.GetAlertAsync(outsider, alertId, store.Object, default);
        await lookups.GetAlertAsync(outsider, alertId, store.Object, default);
        store.Verify(s => s.GetAsync(alertId, It.IsAny<CancellationToken>()), Times.Exactly(3), "an unknown alert is not kept, for either union");
    }

    [Fact]
    public void ApiOptions_LookupCacheOutOfRange_IsNamedWithItsLimits()
    {
        new ApiOptions { LookupCacheSeconds = -1 }.Validate().Should().ContainSingle().Which.Should().StartWith("Api:LookupCacheSeconds must be between 0 (off) and 300");
        new ApiOptions { LookupCacheSeconds = 301 }.Validate().Should().ContainSingle().Which.Should().StartWith("Api:LookupCacheSeconds");
        new ApiOptions { LookupCacheEntries = 0 }.Validate().Should().ContainSingle().Which.Should().Be("Api:LookupCacheEntries must be between 1 and 100000.");
        new ApiOptions { LookupCacheSeconds = 0 }.Validate().Should().BeEmpty("0 turns the cache off");
        new ApiOptions().LookupCacheSeconds.Should().Be(10);
    }

    [Fact]
    public void AddOrganiserApi_BadLookupCacheSetting_FailsOnStartNamingIt_AndZeroTurnsTheCacheOff()
    {
        static ServiceProvider Provider(string seconds) => new ServiceCollection()
            .AddOrganiserApi(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Api:LookupCacheSeconds"] = seconds }).Build())
            .BuildServiceProvider();

        using var bad = Provider("-5");
        FluentActions.Invoking(() => bad.GetRequiredService<IOptions<ApiOptions>>().Value)
            .Should().Throw<OptionsValidationException>().WithMessage("*Api:LookupCacheSeconds must be between 0 (off) and 300*");
        using var off = Provider("0");
        off.GetRequiredService<ApiLookupCache>().Keys.Enabled.Should().BeFalse();
    }

    private ApiKeyRecord Key(string hash, DateTimeOffset? revokedAt) =>
        new(hash[..16], UnionId.Parse("u1"), ApiRole.Organiser, _time.GetUtcNow(), revokedAt, null);

    /// <summary>Counts reads; each returns the value it was made with.</summary>
    private sealed class Reads
    {
        public int Count { get; private set; }

        public Func<CancellationToken, Task<string?>> Next(string value) => _ =>
        {
            Count++;
            return Task.FromResult<string?>(value);
        };
    }
}

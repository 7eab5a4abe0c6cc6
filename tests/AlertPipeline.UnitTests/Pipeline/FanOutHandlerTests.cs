using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using Moq;

namespace AlertPipeline.UnitTests.Pipeline;

public sealed class FanOutHandlerTests
{
    private readonly PipelineWorld _world = new();

    [Fact]
    public async Task Handle_ValidEvent_StoresAlertAndPlansOneChunkPerSubscribedBranch()
    {
        var result = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(), "msg-1", default);

        result.Outcome.Should().Be(FanOutOutcome.Accepted);
        result.AlreadyReceived.Should().BeFalse();
        result.AlertId!.Value.Should().Be("75774197e5449172989a88db2b6df47f", "the docs' example id: derived from event, kind, occurrence, reminder");
        _world.Alerts.Should().ContainKey(result.AlertId);
        result.Chunks.Select(c => $"{c.UnionId}/{c.BranchId}").Should().BeEquivalentTo(
            ["kz-oil/zhanaozen", "kz-oil/aqtau", "uk-energy/london"], "kz-oil subscribes as a whole union, uk-energy with one branch");
        result.Chunks.Should().OnlyContain(c => c.AlertId == result.AlertId && c.Page == 0 && c.ContinuationToken == null);
    }

    [Fact]
    public async Task Handle_AudienceNamesOneBranch_OnlyThatBranchAmongTheSubscribed()
    {
        var json = PipelineWorld.EventJson().Replace(
            "\"channels\"", "\"audience\": { \"branches\": [{ \"unionId\": \"kz-oil\", \"branchId\": \"aqtau\" }, { \"unionId\": \"uk-energy\", \"branchId\": \"leeds\" }] }, \"channels\"", StringComparison.Ordinal);

        var result = await _world.FanOut.HandleAsync(json, null, default);

        result.Errors.Should().BeEmpty();
        result.Chunks.Select(c => $"{c.UnionId}/{c.BranchId}").Should().Equal("kz-oil/aqtau");
    }

    [Fact]
    public async Task Handle_SameEventTwice_SamePlanAndStoredOnce()
    {
        var first = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(), null, default);
        var second = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(), null, default);

        second.AlreadyReceived.Should().BeTrue();
        second.AlertId.Should().Be(first.AlertId);
        second.Chunks.Should().Equal(first.Chunks);
        _world.Alerts.Should().HaveCount(1);
    }

    [Fact]
    public async Task Handle_InvalidEvent_IsRejectedWithEveryErrorRecordedAndNothingStored()
    {
        var json = PipelineWorld.EventJson(channels: """["sms","fax"]""").Replace("Asia/Aqtau", "Asia/Aktau-Typo", StringComparison.Ordinal);

        var result = await _world.FanOut.HandleAsync(json, "msg-9", default);

        result.Outcome.Should().Be(FanOutOutcome.Rejected);
        result.Errors.Select(e => e.Path).Should().Contain(["$.channels[1]", "$.occurrence.timeZone"]);
        _world.Rejected.Should().ContainSingle().Which.Should().Match<RejectedEvent>(r =>
            r.MessageId == "msg-9" && r.Errors.Count == result.Errors.Count && r.BodyLength == System.Text.Encoding.UTF8.GetByteCount(json) && r.BodySha256.Length == 64);
        _world.AlertStore.Verify(s => s.AddAsync(It.IsAny<AlertRecord>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Theory]
    [InlineData("not json at all", "$")]
    [InlineData("""{"Id":"x"}""", "$.Id")]
    public async Task Handle_Malformed_IsRejectedNamingThePath(string body, string path)
    {
        var result = await _world.FanOut.HandleAsync(body, null, default);

        result.Outcome.Should().Be(FanOutOutcome.Rejected);
        result.Errors.Should().Contain(e => e.Path == path);
    }

    [Fact]
    public async Task Handle_UnknownCampaign_IsRejected()
    {
        var result = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(campaignId: "no-such-campaign"), null, default);

        result.Outcome.Should().Be(FanOutOutcome.Rejected);
        result.Errors.Should().ContainSingle().Which.ToString().Should().Be("$.campaignId: unknown campaign 'no-such-campaign'");
    }

    [Fact]
    public async Task Handle_ExpiredEvent_IsStoredAsExpiredAndPlansNothing()
    {
        _world.Time.SetUtcNow(new DateTimeOffset(2025, 12, 16, 18, 0, 0, TimeSpan.Zero));

        var result = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(), null, default);

        result.Outcome.Should().Be(FanOutOutcome.Expired);
        result.Chunks.Should().BeEmpty();
        _world.Alerts[result.AlertId!].ExpiredOnArrival.Should().BeTrue();
    }

    [Fact]
    public async Task Handle_ExpiredEvent_CountsNoAudience()
    {
        _world.Time.SetUtcNow(new DateTimeOffset(2025, 12, 16, 18, 0, 0, TimeSpan.Zero));

        var result = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(), null, default);

        result.Outcome.Should().Be(FanOutOutcome.Expired);
        _world.CountRequests.Should().BeEmpty();
        _world.Alerts[result.AlertId!].Layout.Should().Be(DeliveryLayout.Sixteen);
    }

    [Fact]
    public async Task Handle_SmallAudience_StoresTheSixteenBucketLayout()
    {
        var result = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(), null, default);

        result.Layout.Should().Be(DeliveryLayout.Sixteen);
        _world.Alerts[result.AlertId!].Layout.Should().Be(DeliveryLayout.Sixteen);
        _world.CountRequests.Select(r => $"{r.Union}/{r.Branch}").Should().BeEquivalentTo(["kz-oil/zhanaozen", "kz-oil/aqtau", "uk-energy/london"], "every branch of the audience is counted");
    }

    [Theory]
    [InlineData(15_000, 1_000, 16)]   // 16,000 contacts × 2 channels = 32,000 rows: the most 16 buckets take
    [InlineData(15_000, 1_001, 64)]   // 32,002 rows
    [InlineData(40_000, 24_000, 64)]  // 128,000 rows
    [InlineData(40_000, 24_001, 256)] // 128,002 rows
    public async Task Handle_AudienceSize_ChoosesTheLayoutByRows(int zhanaozen, int aqtau, int buckets)
    {
        _world.BranchSizes[(UnionId.Parse("kz-oil"), BranchId.Parse("zhanaozen"))] = zhanaozen;
        _world.BranchSizes[(UnionId.Parse("kz-oil"), BranchId.Parse("aqtau"))] = aqtau;

        var result = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(), null, default);

        result.Layout!.Buckets.Should().Be(buckets);
        _world.Alerts[result.AlertId!].Layout.Buckets.Should().Be(buckets, "the layout is on the alert before any delivery exists");
    }

    [Fact]
    public async Task Handle_HugeAudience_CountsNoFurtherThanTheWidestThreshold()
    {
        _world.BranchSizes[(UnionId.Parse("kz-oil"), BranchId.Parse("zhanaozen"))] = 900_000;

        var result = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(channels: """["sms"]"""), null, default);

        result.Layout.Should().Be(DeliveryLayout.TwoHundredFiftySix);
        _world.CountRequests.Should().OnlyContain(r => r.AtLeast == 128_001, "one channel: 128,000 rows are 128,000 contacts; past them the answer cannot change");
    }

    [Fact]
    public async Task Handle_ConfiguredLayout_IsStoredWithoutCounting()
    {
        _world.Options.DeliveryBuckets = 64;

        var result = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(), null, default);

        result.Layout.Should().Be(DeliveryLayout.SixtyFour);
        _world.Alerts[result.AlertId!].Layout.Should().Be(DeliveryLayout.SixtyFour);
        _world.CountRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task Handle_EveryBranchHasAStoredCount_ChoosesFromThemWithoutCounting()
    {
        var at = NodaTime.Instant.FromUtc(2025, 12, 1, 0, 0);
        _world.StoredCounts[(PipelineWorld.Kz, PipelineWorld.Zhanaozen)] = new BranchContactCount(40_000, at);
        _world.StoredCounts[(PipelineWorld.Kz, PipelineWorld.Aqtau)] = new BranchContactCount(24_000, at);
        _world.StoredCounts[(PipelineWorld.Uk, PipelineWorld.London)] = new BranchContactCount(0, at);

        var result = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(), null, default);

        result.Layout.Should().Be(DeliveryLayout.SixtyFour, "64,000 contacts × 2 channels = 128,000 rows");
        result.BranchesCounted.Should().Be(0);
        _world.Membership.Verify(m => m.CountContactsAsync(It.IsAny<UnionId>(), It.IsAny<BranchId>(), It.IsAny<int>(), It.IsAny<CancellationToken>()), Times.Never());
        _world.Counts.Verify(c => c.RecordAsync(It.IsAny<UnionId>(), It.IsAny<BranchId>(), It.IsAny<BranchContactCount>(), It.IsAny<CancellationToken>()), Times.Never());
    }

    [Fact]
    public async Task Handle_SomeBranchesWithoutAStoredCount_CountsAndStoresOnlyThose()
    {
        _world.StoredCounts[(PipelineWorld.Kz, PipelineWorld.Zhanaozen)] = new BranchContactCount(15_000, NodaTime.Instant.FromUtc(2025, 12, 1, 0, 0));
        _world.BranchSizes[(PipelineWorld.Kz, PipelineWorld.Zhanaozen)] = 1; // what a count would say: it must not run
        _world.BranchSizes[(PipelineWorld.Kz, PipelineWorld.Aqtau)] = 1_001;

        var result = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(), null, default);

        result.Layout.Should().Be(DeliveryLayout.SixtyFour, "the stored 15,000 plus the counted 1,001 and 0, × 2 channels, pass 32,000 rows");
        result.BranchesCounted.Should().Be(2);
        _world.CountRequests.Select(r => $"{r.Union}/{r.Branch}").Should().BeEquivalentTo(["kz-oil/aqtau", "uk-energy/london"]);
        _world.StoredCounts[(PipelineWorld.Kz, PipelineWorld.Aqtau)].Should().Be(new BranchContactCount(1_001, NodaTime.Instant.FromDateTimeOffset(PipelineWorld.Start)));
        _world.StoredCounts[(PipelineWorld.Uk, PipelineWorld.London)].Contacts.Should().Be(0);
    }

    [Fact]
    public async Task Handle_CountReachesTheWidestThreshold_StoresNoLowerBoundAsACount()
    {
        _world.BranchSizes[(PipelineWorld.Kz, PipelineWorld.Zhanaozen)] = 900_000;

        var result = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(channels: """["sms"]"""), null, default);

        result.Layout.Should().Be(DeliveryLayout.TwoHundredFiftySix);
        _world.StoredCounts.Keys.Should().NotContain((PipelineWorld.Kz, PipelineWorld.Zhanaozen), "a count stopped at the threshold is a lower bound, not the branch's size");
    }

    [Fact]
    public async Task Handle_ConfiguredLayout_ReadsNoStoredCount()
    {
        _world.Options.DeliveryBuckets = 256;

        var result = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(), null, default);

        result.Layout.Should().Be(DeliveryLayout.TwoHundredFiftySix);
        _world.Counts.Verify(c => c.GetAsync(It.IsAny<UnionId>(), It.IsAny<BranchId>(), It.IsAny<CancellationToken>()), Times.Never());
    }

    [Fact]
    public async Task Handle_Accepted_FirstChunksCarryNoContactsBefore()
    {
        var result = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(), null, default);

        result.Chunks.Should().OnlyContain(c => c.ContactsBefore == 0 && c.Page == 0 && c.ContinuationToken == null);
    }

    [Fact]
    public async Task Handle_AlertAlreadyStored_KeepsItsLayoutWhateverTheAudienceNow()
    {
        var first = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(), null, default);
        _world.BranchSizes[(UnionId.Parse("kz-oil"), BranchId.Parse("zhanaozen"))] = 500_000;

        var again = await _world.FanOut.HandleAsync(PipelineWorld.EventJson(), null, default);

        again.AlreadyReceived.Should().BeTrue();
        again.Layout.Should().Be(DeliveryLayout.Sixteen, "the stored alert's rows are in its own layout");
        _world.Alerts[first.AlertId!].Layout.Should().Be(DeliveryLayout.Sixteen);
    }

    [Fact]
    public async Task Audience_WholeUnionAndItsBranchBothSubscribed_EachBranchOnce()
    {
        _world.Subscriptions.Add(new Subscription(PipelineWorld.CampaignId, PipelineWorld.Kz, PipelineWorld.Aqtau));
        var alertEvent = AlertEventParser.Parse(PipelineWorld.EventJson()).Value;

        var branches = await new AudienceResolver(_world.Membership.Object).ResolveAsync(alertEvent, default);

        branches.Should().OnlyHaveUniqueItems().And.HaveCount(3);
        branches.Should().NotContain(b => b.UnionId == PipelineWorld.Uk && b.BranchId != PipelineWorld.London);
        _ = AlertId.For(alertEvent);
        _world.Branches.Add(new Branch(PipelineWorld.Uk, BranchId.Parse("leeds"), "Leeds"));
        (await new AudienceResolver(_world.Membership.Object).ResolveAsync(alertEvent, default))
            .Should().NotContain(b => b.BranchId.Value == "leeds", "uk-energy subscribed only its London branch");
    }
}

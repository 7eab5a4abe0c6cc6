using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;

namespace AlertPipeline.UnitTests.Pipeline;

public sealed class FanOutRedriveTests
{
    private static readonly AlertId Alert = AlertId.Parse("3f2a9c1e5b7d4a6f8e0c1b2d3a4f5e6d");

    [Theory]
    [InlineData(0, 3, FanOutRedriveDecision.Redrive)]
    [InlineData(2, 3, FanOutRedriveDecision.Redrive)]
    [InlineData(3, 3, FanOutRedriveDecision.GiveUp)]
    [InlineData(7, 3, FanOutRedriveDecision.GiveUp)]
    [InlineData(0, 0, FanOutRedriveDecision.GiveUp)]
    public void Decide_RedrivesWhileTheBudgetLasts(int redrivesSoFar, int budget, FanOutRedriveDecision expected) =>
        FanOutRedrive.Decide(redrivesSoFar, budget).Should().Be(expected);

    [Fact]
    public void ChunkId_SameChunkSameId_OtherPageOrTokenOtherId()
    {
        var chunk = new FanOutChunk(Alert, UnionId.Parse("kz-oil"), BranchId.Parse("zhanaozen"), 2, "token-2");

        FanOutRedrive.ChunkId(chunk).Should().Be(FanOutRedrive.ChunkId(chunk with { }))
            .And.HaveLength(32)
            .And.NotBe(FanOutRedrive.ChunkId(chunk with { Page = 3 }))
            .And.NotBe(FanOutRedrive.ChunkId(chunk with { ContinuationToken = null }))
            .And.NotBe(FanOutRedrive.ChunkId(chunk with { BranchId = BranchId.Parse("aqtau") }));
    }

    [Fact]
    public void PipelineOptions_RedriveBudgetOutOfRange_IsNamed() =>
        new PipelineOptions { FanOutRedriveBudget = 21 }.Validate().Should().ContainSingle(e => e.Contains("FanOutRedriveBudget", StringComparison.Ordinal));
}

public sealed class DispatchRedriveTests
{
    [Theory]
    [InlineData(null, true)] // the host poisoned it after its last dequeue (killed every time): no reason recorded
    [InlineData(DeadLetterReasons.TooManyDeliveries, true)]
    [InlineData(DeadLetterReasons.AlertMissing, true)]
    [InlineData(DeadLetterReasons.MalformedMessage, false)]
    [InlineData("SomethingNew", false)]
    public void IsRedrivable_OnlyWhatAnotherRunCanSettle(string? reason, bool expected) =>
        DispatchRedrive.IsRedrivable(reason).Should().Be(expected);

    [Theory]
    [InlineData(DeadLetterReasons.TooManyDeliveries, true)]
    [InlineData(DeadLetterReasons.AlertMissing, true)]
    [InlineData("MaxDeliveryCountExceeded", true)] // the broker's, at the queue's MaxDeliveryCount
    [InlineData("TTLExpiredException", true)] // the broker's, past the queue's time to live
    [InlineData(DeadLetterReasons.MalformedMessage, false)]
    [InlineData(null, false)] // dead-lettered by hand without a reason: left to the person who did it
    [InlineData("SomethingNew", false)]
    public void IsRedrivableDeadLetter_OnlyWhatAnotherRunCanSettle(string? reason, bool expected) =>
        DispatchRedrive.IsRedrivableDeadLetter(reason).Should().Be(expected);

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(3, true)]
    [InlineData(20, true)]
    [InlineData(21, false)]
    public void PipelineOptions_DispatchRedriveBudget_IsBoundedAndNamed(int budget, bool valid)
    {
        var errors = new PipelineOptions { DispatchRedriveBudget = budget }.Validate();

        if (valid)
        {
            errors.Should().BeEmpty();
        }
        else
        {
            errors.Should().ContainSingle(e => e.Contains("DispatchRedriveBudget", StringComparison.Ordinal) && e.Contains("0 and 20", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void PipelineOptions_DispatchRedriveBudget_DefaultsToThree() => new PipelineOptions().DispatchRedriveBudget.Should().Be(3);
}

public sealed class StatusRedriveTests
{
    private const string Reference = "3f2a9c1e5b7d4a6f8e0c1b2d3a4f5e6d-sms-07a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d";

    [Theory]
    [InlineData(null, true)] // the host poisoned it after its last dequeue (the worker killed every time): no reason recorded
    [InlineData(DeadLetterReasons.TooManyDeliveries, true)]
    [InlineData(DeadLetterReasons.MalformedMessage, false)]
    [InlineData(DeadLetterReasons.AlertMissing, false)] // the status consumer never writes it: an unknown reason for a status
    [InlineData("SomethingNew", false)]
    public void IsRedrivable_OnlyWhatAnotherDequeueCanApply(string? reason, bool expected) =>
        StatusRedrive.IsRedrivable(reason).Should().Be(expected);

    [Fact]
    public void StatusId_SameCallbackSameId_OtherStatusCodeOrSidOtherId()
    {
        var callback = new StatusCallback(Reference, "delivered", null, "SM1");

        StatusRedrive.StatusId(callback).Should().Be(StatusRedrive.StatusId(callback with { }))
            .And.HaveLength(32)
            .And.NotBe(StatusRedrive.StatusId(callback with { MessageStatus = "undelivered" }))
            .And.NotBe(StatusRedrive.StatusId(callback with { ErrorCode = "30003" }))
            .And.NotBe(StatusRedrive.StatusId(callback with { MessageSid = "SM2" }));
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(20, true)]
    [InlineData(21, false)]
    public void PipelineOptions_StatusRedriveBudget_IsBoundedAndNamed(int budget, bool valid)
    {
        var errors = new PipelineOptions { StatusRedriveBudget = budget }.Validate();

        if (valid)
        {
            errors.Should().BeEmpty();
        }
        else
        {
            errors.Should().ContainSingle(e => e.Contains("StatusRedriveBudget", StringComparison.Ordinal) && e.Contains("0 and 20", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void PipelineOptions_StatusRedriveBudget_DefaultsToThree() => new PipelineOptions().StatusRedriveBudget.Should().Be(3);
}

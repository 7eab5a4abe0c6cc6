using System.Runtime.CompilerServices;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;
using AlertPipeline.Testing;
using Moq;

namespace AlertPipeline.UnitTests.Reports;

/// <summary>
/// <see cref="AlertReportReader"/>: a count that finishes within the budget is the exact answer; a longer one answers with
/// what it has (partial) or the last finished count with its time, and a large alert is counted at most once per interval.
/// The clock is manual: the budget "runs out" only when a test moves it.
/// </summary>
public sealed class AlertReportReaderTests
{
    private static readonly ReportOptions Options = new() { ExactBudget = TimeSpan.FromSeconds(2), RescanInterval = TimeSpan.FromSeconds(10) };
    private static readonly UnionId Other = UnionId.Parse("other-union");
    private readonly ManualTimeProvider _clock = new();
    private readonly Mock<IDeliveryStore> _store = new(MockBehavior.Strict);

    [Fact]
    public async Task ReadAsync_CountFinishesWithinBudget_AnswersExactCountsAsOfItsStart()
    {
        var start = _clock.GetUtcNow();
        _store.Setup(s => s.GetReportedRowsAsync(ReportRows.AlertId, ReportRows.Union, It.IsAny<CancellationToken>()))
            .Returns(() => Rows([Sms(DeliveryStatus.Delivered), Sms(DeliveryStatus.Failed), Email(DeliveryStatus.Sent)]));
        using var reader = new AlertReportReader(_store.Object, Options, _clock);

        var answer = await reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, _clock.GetUtcNow());

        answer.Partial.Should().BeFalse();
        answer.AsOf.Should().Be(start);
        answer.Report.Rows.Should().Be(3);
        answer.Report.Channels.Single(c => c.Channel == Channel.Sms).ByStatus.Should().BeEquivalentTo(new Dictionary<DeliveryStatus, int>
        {
            [DeliveryStatus.Delivered] = 1, [DeliveryStatus.Failed] = 1,
        });
    }

    [Fact]
    public async Task ReadAsync_SmallAlertAskedAgain_CountsAgainSoEveryChangeShows()
    {
        _store.SetupSequence(s => s.GetReportedRowsAsync(ReportRows.AlertId, ReportRows.Union, It.IsAny<CancellationToken>()))
            .Returns(Rows([Sms(DeliveryStatus.Sent)]))
            .Returns(Rows([Sms(DeliveryStatus.Delivered)]));
        using var reader = new AlertReportReader(_store.Object, Options, _clock);

        var first = await reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(1));
        var second = await reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, _clock.GetUtcNow());

        first.Report.Channels.Single().ByStatus.Should().ContainKey(DeliveryStatus.Sent);
        second.Report.Channels.Single().ByStatus.Should().ContainKey(DeliveryStatus.Delivered);
        second.AsOf.Should().Be(first.AsOf + TimeSpan.FromSeconds(1));
        second.Partial.Should().BeFalse();
    }

    [Fact]
    public async Task ReadAsync_FirstCountOverBudget_AnswersTheRowsCountedSoFarMarkedPartial_ThenTheFinishedCount()
    {
        var start = _clock.GetUtcNow();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Setup(s => s.GetReportedRowsAsync(ReportRows.AlertId, ReportRows.Union, It.IsAny<CancellationToken>()))
            .Returns(() => Rows([Sms(DeliveryStatus.Sent), Sms(DeliveryStatus.Sent)], reached, gate.Task, [Sms(DeliveryStatus.Delivered)]));
        using var reader = new AlertReportReader(_store.Object, Options, _clock);

        var asking = reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, _clock.GetUtcNow());
        await reached.Task;
        await WaitForTimerAsync();
        _clock.Advance(TimeSpan.FromSeconds(3));
        var partial = await asking;

        partial.Partial.Should().BeTrue();
        partial.AsOf.Should().Be(start);
        partial.Report.Rows.Should().Be(2, "two rows were read when the budget ran out");

        gate.SetResult();
        var finished = await reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, _clock.GetUtcNow());

        finished.Partial.Should().BeFalse();
        finished.AsOf.Should().Be(start);
        finished.Report.Rows.Should().Be(3);
    }

    [Fact]
    public async Task ReadAsync_LargeAlert_IsCountedAtMostOncePerRescanInterval_AndServedWithTheTimeOfItsLastFinishedCount()
    {
        var start = _clock.GetUtcNow();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.SetupSequence(s => s.GetReportedRowsAsync(ReportRows.AlertId, ReportRows.Union, It.IsAny<CancellationToken>()))
            .Returns(Rows([Sms(DeliveryStatus.Sent)], reached, gate.Task, [Sms(DeliveryStatus.Sent)]))
            .Returns(Rows([Sms(DeliveryStatus.Delivered)], secondReached, secondGate.Task, [Sms(DeliveryStatus.Delivered)]));
        using var reader = new AlertReportReader(_store.Object, Options, _clock);

        // The first count takes longer than the budget, then finishes.
        var asking = reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, _clock.GetUtcNow());
        await reached.Task;
        await WaitForTimerAsync();
        _clock.Advance(TimeSpan.FromSeconds(3));
        (await asking).Partial.Should().BeTrue();
        gate.SetResult();
        (await reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, _clock.GetUtcNow())).Partial.Should().BeFalse();

        // Within the interval: served as it is, nothing read again.
        _clock.Advance(TimeSpan.FromSeconds(5));
        var served = await reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, _clock.GetUtcNow());
        served.Should().BeEquivalentTo(new { AsOf = start, Partial = false });
        served.Report.Channels.Single().ByStatus.Should().BeEquivalentTo(new Dictionary<DeliveryStatus, int> { [DeliveryStatus.Sent] = 2 });
        _store.Verify(s => s.GetReportedRowsAsync(ReportRows.AlertId, ReportRows.Union, It.IsAny<CancellationToken>()), Times.Once);

        // After it: a new count starts; while it runs over budget the last finished count answers, with its own time.
        _clock.Advance(TimeSpan.FromSeconds(10));
        var recounting = reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, _clock.GetUtcNow());
        await secondReached.Task;
        await WaitForTimerAsync();
        _clock.Advance(TimeSpan.FromSeconds(3));
        var meanwhile = await recounting;
        meanwhile.Should().BeEquivalentTo(new { AsOf = start, Partial = false });
        meanwhile.Report.Rows.Should().Be(2);
        _store.Verify(s => s.GetReportedRowsAsync(ReportRows.AlertId, ReportRows.Union, It.IsAny<CancellationToken>()), Times.Exactly(2));

        secondGate.SetResult();
        var fresh = await reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, _clock.GetUtcNow());
        fresh.AsOf.Should().BeAfter(start);
        fresh.Report.Channels.Single().ByStatus.Should().BeEquivalentTo(new Dictionary<DeliveryStatus, int> { [DeliveryStatus.Delivered] = 2 });
    }

    [Fact]
    public async Task ReadAsync_TwoUnionsOfOneAlert_EachGetsOnlyItsOwnCount()
    {
        _store.Setup(s => s.GetReportedRowsAsync(ReportRows.AlertId, ReportRows.Union, It.IsAny<CancellationToken>()))
            .Returns(() => Rows([Sms(DeliveryStatus.Sent), Sms(DeliveryStatus.Sent), Sms(DeliveryStatus.Sent)]));
        _store.Setup(s => s.GetReportedRowsAsync(ReportRows.AlertId, Other, It.IsAny<CancellationToken>()))
            .Returns(() => Rows([Sms(DeliveryStatus.Failed)]));
        using var reader = new AlertReportReader(_store.Object, Options, _clock);

        var mine = await reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, _clock.GetUtcNow());
        var theirs = await reader.ReadAsync(ReportRows.AlertId, Other, _clock.GetUtcNow());
        var mineAgain = await reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, _clock.GetUtcNow());

        mine.Report.Rows.Should().Be(3);
        theirs.Report.Rows.Should().Be(1);
        theirs.Report.Channels.Single().ByStatus.Should().ContainKey(DeliveryStatus.Failed).And.HaveCount(1);
        mineAgain.Report.Rows.Should().Be(3);
    }

    [Fact]
    public async Task ReadAsync_RequestArrivedLongerAgoThanTheBudget_AnswersAtOnceStillCounting_ThenTheFinishedCount()
    {
        // The request's own first reads (key, alert) took the whole budget: the ask must not add another 2 s.
        var start = _clock.GetUtcNow();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Setup(s => s.GetReportedRowsAsync(ReportRows.AlertId, ReportRows.Union, It.IsAny<CancellationToken>()))
            .Returns(() => Rows([], reached, gate.Task, [Sms(DeliveryStatus.Sent)]));
        using var reader = new AlertReportReader(_store.Object, Options, _clock);

        var answer = await reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, start - TimeSpan.FromSeconds(2.5));

        answer.Partial.Should().BeTrue("the count has only started");
        answer.Report.Rows.Should().Be(0, "no row was read yet: nothing is made up");
        answer.AsOf.Should().Be(start);
        _clock.ActiveTimerCount.Should().Be(0, "the ask did not wait");

        await reached.Task;
        gate.SetResult();
        var finished = await reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, _clock.GetUtcNow());
        finished.Partial.Should().BeFalse();
        finished.Report.Rows.Should().Be(1);
    }

    [Fact]
    public async Task ReadAsync_RequestArrivedASecondAgo_WaitsOnlyTheSecondLeftOfTheBudget()
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Setup(s => s.GetReportedRowsAsync(ReportRows.AlertId, ReportRows.Union, It.IsAny<CancellationToken>()))
            .Returns(() => Rows([Sms(DeliveryStatus.Sent)], reached, gate.Task, [Sms(DeliveryStatus.Sent)]));
        using var reader = new AlertReportReader(_store.Object, Options, _clock);

        var asking = reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, _clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        await reached.Task;
        await WaitForTimerAsync();
        _clock.Advance(TimeSpan.FromSeconds(0.9));
        asking.IsCompleted.Should().BeFalse("0.1 s of the budget is left");
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        var answer = await asking;

        answer.Partial.Should().BeTrue();
        answer.Report.Rows.Should().Be(1);
        gate.SetResult();
    }

    [Fact]
    public async Task ReadAsync_CountFails_TheAskWaitingForItFails()
    {
        _store.Setup(s => s.GetReportedRowsAsync(ReportRows.AlertId, ReportRows.Union, It.IsAny<CancellationToken>()))
            .Returns(() => Failing());
        using var reader = new AlertReportReader(_store.Object, Options, _clock);

        var act = () => reader.ReadAsync(ReportRows.AlertId, ReportRows.Union, _clock.GetUtcNow());

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("storage down");
    }

    [Theory]
    [InlineData(-1, 10, 1000, "ExactBudget")]
    [InlineData(61, 10, 1000, "ExactBudget")]
    [InlineData(2, -1, 1000, "RescanInterval")]
    [InlineData(2, 10, 0, "MaxSnapshots")]
    public void Validate_OutOfRange_NamesTheSetting(int budgetSeconds, int rescanSeconds, int snapshots, string setting)
    {
        var options = new ReportOptions
        {
            ExactBudget = TimeSpan.FromSeconds(budgetSeconds), RescanInterval = TimeSpan.FromSeconds(rescanSeconds), MaxSnapshots = snapshots,
            AnswerWithin = TimeSpan.FromMinutes(10),
        };

        options.Validate().Should().ContainSingle().Which.Should().StartWith($"Reports:{setting} ");
        new ReportOptions().Validate().Should().BeEmpty();
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(601)]
    [InlineData(2.5)]
    public void Validate_AnswerWithinOutOfRangeOrNotLongerThanTheBudgets_NamesTheSetting(double seconds)
    {
        // 2.5 s: not longer than the default preview budget (2.5 s), which the deadline would cut short.
        new ReportOptions { AnswerWithin = TimeSpan.FromSeconds(seconds) }.Validate()
            .Should().ContainSingle().Which.Should().StartWith("Reports:AnswerWithin ");
    }

    private static ReportedRow Sms(DeliveryStatus status) => new(Channel.Sms, status, null, status == DeliveryStatus.Failed ? FailureReason.Landline : null, null, 1);

    private static ReportedRow Email(DeliveryStatus status) => new(Channel.Email, status, null, null, null, null);

    /// <summary>The rows of <paramref name="first"/>; then, if given, signals <paramref name="reached"/> and waits for <paramref name="gate"/> before <paramref name="rest"/>.</summary>
    private static async IAsyncEnumerable<ReportedRow> Rows(
        IEnumerable<ReportedRow> first, TaskCompletionSource? reached = null, Task? gate = null, IEnumerable<ReportedRow>? rest = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var row in first)
        {
            yield return row;
        }

        if (reached is not null && gate is not null)
        {
            reached.SetResult();
            await gate.WaitAsync(cancellationToken);
        }

        foreach (var row in rest ?? [])
        {
            yield return row;
        }
    }

    private static async IAsyncEnumerable<ReportedRow> Failing()
    {
        await Task.Yield();
        foreach (var row in Array.Empty<ReportedRow>())
        {
            yield return row;
        }

        throw new InvalidOperationException("storage down");
    }

    /// <summary>Waits until the ask is in its budget delay (its timer exists), so moving the clock ends that delay.</summary>
    private Task WaitForTimerAsync() => Poll.UntilAsync(() => _clock.ActiveTimerCount > 0, "the ask to wait in its budget delay");
}

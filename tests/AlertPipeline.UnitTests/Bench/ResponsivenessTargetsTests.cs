using AlertPipeline.Testing.Faults;

namespace AlertPipeline.UnitTests.Bench;

/// <summary>The responsiveness harness's verdict: a target is met only when every call answered under it.</summary>
public sealed class ResponsivenessTargetsTests
{
    private static ProbeFigures Figures(string kind, double maxMs, int failures = 0, int count = 10) => new(kind, count, maxMs / 2, maxMs, maxMs, failures);

    [Fact]
    public void Missed_EveryKindUnderItsTarget_IsEmpty()
    {
        ResponsivenessProbe.Missed(
        [
            Figures("status callback", 1_999), Figures("inbound SMS", 100), Figures("delivery report", 4_999),
            Figures("preview", 4_000), Figures(ResponsivenessProbe.TimerLag, 9_999),
        ]).Should().BeEmpty();
    }

    [Fact]
    public void Missed_OneSlowCallAFailureOrAKindNeverMeasured_NamesEachOfThem()
    {
        ResponsivenessProbe.Missed(
        [
            Figures("status callback", 2_000), Figures("inbound SMS", 100, failures: 1), Figures("delivery report", 4_999),
            Figures(ResponsivenessProbe.TimerLag, 10_500),
        ]).Should().BeEquivalentTo(["status callback", "inbound SMS", "preview", ResponsivenessProbe.TimerLag]);
    }

    [Fact]
    public void Describe_FailedAnswers_CountsEachAnswerMostFrequentFirst()
    {
        ProbeFigures.Describe(["503", "no answer", "503", "500"]).Should().Be("503 ×2, 500 ×1, no answer ×1");
        ProbeFigures.Describe([]).Should().BeEmpty();
    }

    [Fact]
    public void ToString_NamesWhatTheFailuresWereAndThePartialAnswers()
    {
        var figures = Figures("delivery report", 4_020, failures: 2) with { Partial = 1, FailedAs = "503 ×2" };

        figures.ToString().Should().Be("delivery report: 10 calls, median 2.01 s, p95 4.02 s, max 4.02 s, 2 failed (503 ×2), 1 partial");
        Figures("preview", 3_000).ToString().Should().Be("preview: 10 calls, median 1.50 s, p95 3.00 s, max 3.00 s, 0 failed");
    }

    [Theory]
    [InlineData("status callback", 2)]
    [InlineData("inbound SMS", 2)]
    [InlineData("delivery report", 5)]
    [InlineData("preview", 5)]
    public void TargetOf_IsTheIssuesFigure(string kind, int seconds) =>
        ResponsivenessProbe.TargetOf(kind).Should().Be(TimeSpan.FromSeconds(seconds));
}

using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Imports;

namespace AlertPipeline.UnitTests.Core.Imports;

public sealed class ImportJobTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 17, 0, 0, TimeSpan.Zero);

    private static ImportJob NewJob(int lines = 2501) =>
        ImportJob.Create(ImportJobId.New(), UnionId.Parse("kz-oil"), BranchId.Parse("north"), "ab12", lines, "3f9a0c1d2b4e5f60", T0);

    [Fact]
    public void Create_IsQueuedWithNothingDone()
    {
        var job = NewJob();

        job.State.Should().Be(ImportJobState.Queued);
        job.LinesDone.Should().Be(0);
        job.Counts.Should().Be(ImportCounts.Zero);
        job.StartedAt.Should().BeNull();
        job.UpdatedAt.Should().Be(T0);
        job.IsFinished.Should().BeFalse();
    }

    [Fact]
    public void Start_QueuedJob_RunsFromNow_AndStartingARunningJobAgainChangesNothing()
    {
        var running = NewJob().Start(T0.AddSeconds(1));

        running.State.Should().Be(ImportJobState.Running);
        running.StartedAt.Should().Be(T0.AddSeconds(1));
        running.Start(T0.AddSeconds(9)).Should().BeSameAs(running, "a redelivered message resumes the job; it does not start it again");
    }

    [Fact]
    public void Advance_SlicesToTheLastLine_SucceedsWithTheLastCounts()
    {
        var job = NewJob(2501).Start(T0);
        var ends = new List<int>();
        while (!job.IsFinished)
        {
            var end = job.NextSliceEnd(1000);
            ends.Add(end);
            job = job.Advance(end, new ImportCounts(end - 1, 0, 0), T0.AddSeconds(ends.Count));
        }

        ends.Should().Equal(1000, 2000, 2501);
        job.State.Should().Be(ImportJobState.Succeeded);
        job.LinesDone.Should().Be(2501);
        job.Counts.Should().Be(new ImportCounts(2500, 0, 0));
        job.FinishedAt.Should().Be(T0.AddSeconds(3));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(999)]
    [InlineData(2502)]
    public void Advance_CheckpointNotForwardOrPastTheEnd_Throws(int linesDone)
    {
        var job = NewJob(2501).Start(T0).Advance(1000, ImportCounts.Zero, T0);

        var advance = () => job.Advance(linesDone, ImportCounts.Zero, T0);

        advance.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(linesDone));
    }

    [Fact]
    public void Advance_QueuedJob_Throws()
    {
        var advance = () => NewJob().Advance(10, ImportCounts.Zero, T0);

        advance.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Fail_KeepsTheLinesDoneAndSaysWhy_AndAFinishedJobNeverChangesAgain()
    {
        var failed = NewJob().Start(T0).Advance(1000, new ImportCounts(990, 10, 0), T0).Fail("the uploaded file is gone", T0.AddMinutes(1));

        failed.State.Should().Be(ImportJobState.Failed);
        failed.Failure.Should().Be("the uploaded file is gone");
        failed.LinesDone.Should().Be(1000);
        failed.Counts.Imported.Should().Be(990);
        failed.FinishedAt.Should().Be(T0.AddMinutes(1));
        ((Action)(() => failed.Fail("again", T0))).Should().Throw<InvalidOperationException>();
        ((Action)(() => failed.Start(T0))).Should().Throw<InvalidOperationException>();
        ((Action)(() => failed.Advance(2000, ImportCounts.Zero, T0))).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Succeeded_CannotStartOrFail()
    {
        var done = NewJob(10).Start(T0).Advance(10, ImportCounts.Zero, T0);

        ((Action)(() => done.Start(T0))).Should().Throw<InvalidOperationException>();
        ((Action)(() => done.Fail("late", T0))).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void MayBeReused_WithinTheWindowAndNotFailed()
    {
        var window = TimeSpan.FromHours(24);
        var queued = NewJob();
        var done = NewJob(10).Start(T0).Advance(10, ImportCounts.Zero, T0);
        var failed = NewJob().Fail("gone", T0);

        queued.MayBeReused(T0.AddHours(23), window).Should().BeTrue();
        done.MayBeReused(T0.AddHours(23), window).Should().BeTrue("the same file again gets the finished job and its report");
        queued.MayBeReused(T0.AddHours(24), window).Should().BeFalse();
        failed.MayBeReused(T0.AddMinutes(1), window).Should().BeFalse("a failed job is retried as a new job");
    }

    [Theory]
    [InlineData("5b0c9d0e6f2a4b8c9d0e1f2a3b4c5d6e", true)]
    [InlineData("5B0C9D0E6F2A4B8C9D0E1F2A3B4C5D6E", false)]
    [InlineData("5b0c9d0e-6f2a-4b8c-9d0e-1f2a3b4c5d6e", false)]
    [InlineData("5b0c9d0e6f2a4b8c9d0e1f2a3b4c5d6", false)]
    [InlineData("../../etc/passwd", false)]
    [InlineData(null, false)]
    public void ImportJobId_Is32LowercaseHexDigits(string? value, bool valid)
    {
        ImportJobId.TryParse(value, out _).Should().Be(valid);
    }

    [Theory]
    [InlineData("kz-oil", "5b0c9d0e6f2a4b8c9d0e1f2a3b4c5d6e", null)]
    [InlineData("KZ oil", "5b0c9d0e6f2a4b8c9d0e1f2a3b4c5d6e", "union id")]
    [InlineData("kz-oil", "nope", "jobId")]
    public void ImportJobMessage_ParsesOrNamesTheBadField(string union, string jobId, string? error)
    {
        var ok = new ImportJobMessage(union, jobId) { Token = "t" }.TryParse(out var unionId, out var id, out var problem);

        ok.Should().Be(error is null);
        if (error is null)
        {
            unionId!.Value.Should().Be(union);
            id!.Value.Should().Be(jobId);
        }
        else
        {
            problem.Should().Contain(error);
        }
    }
}

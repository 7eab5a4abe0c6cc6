using AlertPipeline.Functions.Hosting;
using AlertPipeline.Testing;
using Microsoft.AspNetCore.Http;

namespace AlertPipeline.UnitTests.Functions;

/// <summary>
/// <see cref="RequestArrival.AnswerByAsync"/>: a report or preview whose reads stall answers 503 with Retry-After at its
/// deadline, counted from the request's arrival; one that answers in time is passed through. The clock is manual and the
/// stalled read is a task that ends only when cancelled: nothing waits for luck.
/// </summary>
public sealed class RequestArrivalTests
{
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(4);
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public async Task AnswerBy_ReadsStallPastTheDeadline_Answers503WithRetryAfter_AndCancelsTheReads()
    {
        var http = new DefaultHttpContext();
        RequestArrival.Stamp(http, _clock.GetUtcNow());
        var cancelled = false;

        var answering = RequestArrival.AnswerByAsync(http, AnswerWithin, _clock, async () =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                throw;
            }

            return Results.Ok();
        });
        await Poll.UntilAsync(() => _clock.ActiveTimerCount > 0, "the deadline timer");
        _clock.Advance(AnswerWithin - TimeSpan.FromMilliseconds(1));
        answering.IsCompleted.Should().BeFalse();
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var result = await answering;

        (result as IStatusCodeHttpResult)!.StatusCode.Should().Be(StatusCodes.Status503ServiceUnavailable);
        http.Response.Headers.RetryAfter.ToString().Should().Be(RequestArrival.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        cancelled.Should().BeTrue("the stalled read is cancelled, not left running");
        http.RequestAborted.CanBeCanceled.Should().BeFalse("the caller's own token is back in place");
    }

    [Fact]
    public async Task AnswerBy_RequestArrivedBeforeTheDeadlineWindow_Answers503WithoutWaiting()
    {
        var http = new DefaultHttpContext();
        RequestArrival.Stamp(http, _clock.GetUtcNow() - AnswerWithin);

        var result = await RequestArrival.AnswerByAsync(http, AnswerWithin, _clock, async () =>
        {
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
            return Results.Ok();
        });

        (result as IStatusCodeHttpResult)!.StatusCode.Should().Be(StatusCodes.Status503ServiceUnavailable);
    }

    [Fact]
    public async Task AnswerBy_WorkAnswersInTime_IsTheAnswer()
    {
        var http = new DefaultHttpContext();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var answering = RequestArrival.AnswerByAsync(http, AnswerWithin, _clock, async () =>
        {
            await gate.Task.WaitAsync(http.RequestAborted);
            return Results.Ok("counted");
        });
        _clock.Advance(AnswerWithin - TimeSpan.FromSeconds(1));
        gate.SetResult();
        var result = await answering;

        (result as IStatusCodeHttpResult)!.StatusCode.Should().Be(StatusCodes.Status200OK);
        http.Response.Headers.RetryAfter.Should().BeEmpty();
    }

    [Fact]
    public async Task AnswerBy_ReadsFailAfterTheSdkRetriesBeforeTheDeadline_Answers503WithRetryAfter()
    {
        var http = new DefaultHttpContext();
        RequestArrival.Stamp(http, _clock.GetUtcNow());

        // What Azure.Core's retry policy throws when every try of a table read failed (no answer, then a per-try timeout).
        var result = await RequestArrival.AnswerByAsync(http, AnswerWithin, _clock, () => Task.FromException<IResult>(
            new AggregateException("Retry failed after 4 tries.", new Azure.RequestFailedException("connection reset"), new TaskCanceledException("per-try timeout"))));

        (result as IStatusCodeHttpResult)!.StatusCode.Should().Be(StatusCodes.Status503ServiceUnavailable);
        (result as IValueHttpResult)!.Value.Should().BeOfType<Microsoft.AspNetCore.Mvc.ProblemDetails>()
            .Which.Extensions["retryAfterSeconds"].Should().Be(RequestArrival.RetryAfterSeconds);
        http.Response.Headers.RetryAfter.ToString().Should().Be(RequestArrival.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task AnswerBy_WorkFailsWithAnythingButTheStorage_StillFails()
    {
        var http = new DefaultHttpContext();

        var answering = () => RequestArrival.AnswerByAsync(http, AnswerWithin, _clock, () => Task.FromException<IResult>(
            new AggregateException(new Azure.RequestFailedException(503, "busy"), new InvalidOperationException("a bug"))));

        await answering.Should().ThrowAsync<AggregateException>("a bug is not dressed up as a busy store");
        http.Response.Headers.RetryAfter.Should().BeEmpty();
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    [InlineData(412, false)]
    public void IsStorageUnavailable_RequestFailed_OnlyWithoutAnAnswerOrTransientStatus(int status, bool unavailable)
    {
        RequestArrival.IsStorageUnavailable(new Azure.RequestFailedException(status, "x")).Should().Be(unavailable);
        RequestArrival.IsStorageUnavailable(new AggregateException(new Azure.RequestFailedException(status, "x"), new HttpRequestException("reset")))
            .Should().Be(unavailable, "an aggregate is unavailable only when every failure in it is");
    }

    [Fact]
    public void Of_RequestNeverStamped_ArrivedNow()
    {
        RequestArrival.Of(new DefaultHttpContext(), _clock).Should().Be(_clock.GetUtcNow());
    }
}

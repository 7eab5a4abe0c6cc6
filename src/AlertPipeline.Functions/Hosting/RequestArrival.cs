using AlertPipeline.Functions.Api;

namespace AlertPipeline.Functions.Hosting;

/// <summary>
/// When an HTTP request reached the worker (stamped by <see cref="InteractiveRequestMiddleware"/> before the function
/// runs), so that the report's and the preview's budgets count from the request's arrival, not from the end of their
/// first reads; and <see cref="AnswerByAsync"/>, which answers by a deadline whatever the reads are doing.
/// </summary>
public static class RequestArrival
{
    private const string ItemKey = "AlertPipeline.RequestArrival";

    public static void Stamp(HttpContext context, DateTimeOffset arrivedAt)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items.TryAdd(ItemKey, arrivedAt);
    }

    /// <summary>The stamped arrival; a request that was not stamped (a test server without the middleware) arrived now.</summary>
    public static DateTimeOffset Of(HttpContext context, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(time);
        return context.Items.TryGetValue(ItemKey, out var value) && value is DateTimeOffset arrivedAt ? arrivedAt : time.GetUtcNow();
    }

    /// <summary>
    /// Runs <paramref name="work"/> with <see cref="HttpContext.RequestAborted"/> cancelled at
    /// <paramref name="answerWithin"/> after the request's arrival. Work that has not answered by then (its reads stalled
    /// before it could say anything true: the key, the alert, the campaign) is cancelled and the caller gets a
    /// 503 with <c>Retry-After</c> saying so, rather than an answer at an unknown later time. Nothing is made up.
    /// Work whose reads failed before the deadline because the storage could not answer (<see cref="IsStorageUnavailable"/>)
    /// also answers 503 with <c>Retry-After</c> (<see cref="ApiProblems.StorageUnavailable"/>), not an unhandled 500.
    /// </summary>
    public static async Task<IResult> AnswerByAsync(HttpContext context, TimeSpan answerWithin, TimeProvider time, Func<Task<IResult>> work)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(work);
        var left = Of(context, time) + answerWithin - time.GetUtcNow();
        var caller = context.RequestAborted;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(caller);
        context.RequestAborted = deadline.Token;
        try
        {
            var running = work();
            using (var timer = CancellationTokenSource.CreateLinkedTokenSource(caller))
            {
                var due = Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, time, timer.Token);
                var first = await Task.WhenAny(running, due).ConfigureAwait(false);
                await timer.CancelAsync().ConfigureAwait(false);
                if (first == running || caller.IsCancellationRequested)
                {
                    try
                    {
                        return await running.ConfigureAwait(false);
                    }
                    catch (Exception ex) when (!caller.IsCancellationRequested && IsStorageUnavailable(ex))
                    {
                        // The reads failed before the deadline, after the storage client's own retries: the store is
                        // down or overloaded (e.g. Azure.Core's "Retry failed after 4 tries" AggregateException).
                        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        return ApiProblems.StorageUnavailable(RetryAfterSeconds);
                    }
                }
            }

            await deadline.CancelAsync().ConfigureAwait(false);
            try
            {
                // A read honours its cancellation at once; the grace only keeps a stuck one from holding the answer.
                await running.WaitAsync(Grace, time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException || IsStorageUnavailable(ex))
            {
                // Expected: the work was cancelled at the deadline.
            }

            if (running.IsCompletedSuccessfully)
            {
                return running.Result;
            }

            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ApiProblems.Busy(answerWithin, RetryAfterSeconds);
        }
        finally
        {
            context.RequestAborted = caller;
        }
    }

    /// <summary>
    /// A failure that says the storage could not answer (unreachable, overloaded, timed out), not that the request was
    /// wrong: a transport failure, a timeout, a <see cref="Azure.RequestFailedException"/> without a response or with
    /// 408, 429 or 5xx, or the <see cref="AggregateException"/> the Azure SDK's retry policy throws when every try failed
    /// with such failures.
    /// </summary>
    internal static bool IsStorageUnavailable(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.Flatten().InnerExceptions is { Count: > 0 } inner && inner.All(IsStorageUnavailable),
        Azure.RequestFailedException failed => failed.Status is 0 or StatusCodes.Status408RequestTimeout or StatusCodes.Status429TooManyRequests or >= 500,
        HttpRequestException or TimeoutException or IOException or OperationCanceledException => true,
        _ => false,
    };

    /// <summary>How long a cancelled read may take to give up before the 503 goes out anyway.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(250);

    /// <summary>The <c>Retry-After</c> of a 503 at the deadline: a count started by the request usually has news by then.</summary>
    public const int RetryAfterSeconds = 5;
}

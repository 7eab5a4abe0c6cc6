namespace AlertPipeline.LocalHost.Queues;

/// <summary>
/// A pulse many waiters can await: take <see cref="WaitTask"/> first, then check your condition, then await the task;
/// <see cref="Pulse"/> completes the current task and starts a new one, so no pulse between the check and the wait is lost.
/// </summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _current = New();

    public Task WaitTask => Volatile.Read(ref _current).Task;

    public void Pulse() => Interlocked.Exchange(ref _current, New()).TrySetResult();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

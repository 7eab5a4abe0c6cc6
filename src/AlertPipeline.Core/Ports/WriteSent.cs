namespace AlertPipeline.Core.Ports;

/// <summary>
/// Tells a caller when one storage write's request has left the process (its bytes are in the operating system's send
/// buffer), before the write is answered. A request that far is applied by the store even if the process is killed at
/// once: the kernel still delivers it. The email sender uses it to write the end of data right behind its handover mark
/// (<c>Pipeline:EmailEndOfDataAfter</c>, docs/pipeline.md) instead of a whole round trip later.
/// <para>
/// The signal is ambient: <see cref="Watch{TWrite}"/> sets it for the write it starts, and the storage adapter raises
/// <see cref="Current"/> once it has flushed the request. A store that never raises it (an in-memory one) leaves only the
/// write's own completion, which is the conservative answer.
/// </para>
/// </summary>
public sealed class WriteSent
{
    private static readonly AsyncLocal<WriteSent?> Ambient = new();
    // Continuations run on the thread that raises it, inside the flush: the caller's next step (the end of data) is written
    // right behind the request, without waiting for a thread-pool thread on a busy machine.
    private readonly TaskCompletionSource _sent = new();

    private WriteSent()
    {
    }

    /// <summary>The signal of the write running in this flow, if its caller watches it.</summary>
    public static WriteSent? Current => Ambient.Value;

    /// <summary>Completes once a request of the watched write has been flushed to the connection.</summary>
    public Task Sent => _sent.Task;

    /// <summary>Starts <paramref name="write"/> with a signal of its own; the calling flow's signal is unchanged afterwards.</summary>
    public static (TWrite Write, Task Sent) Watch<TWrite>(Func<TWrite> write)
        where TWrite : Task
    {
        ArgumentNullException.ThrowIfNull(write);
        var signal = new WriteSent();
        var outer = Ambient.Value;
        Ambient.Value = signal;
        try
        {
            return (write(), signal.Sent);
        }
        finally
        {
            Ambient.Value = outer;
        }
    }

    /// <summary>Called by the storage adapter once the request is flushed (every retry may call it again).</summary>
    public void Raise() => _sent.TrySetResult();
}

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Bounds the email handovers one worker has in flight: from the request of an email's handover mark
/// (<see cref="Deliveries.DeliveryRecord.HandedOverAt"/>) to the gateway's return after the end of data. A process killed
/// in that window loses those emails (the mark may be stored, the end of data never went out; a marked stale claim is
/// never re-sent), so the window's population is what one kill can lose: at most <see cref="Capacity"/>
/// (<see cref="PipelineOptions.EmailHandoversInFlight"/>; 0 = unbounded). <see cref="Close"/> (the worker is stopping)
/// refuses every mark not yet begun, waiting or new, while those already begun finish.
/// </summary>
public sealed class HandoverGate : IDisposable
{
    private readonly SemaphoreSlim? _slots;
    private readonly CancellationTokenSource _closed = new();

    public HandoverGate(PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Capacity = options.EmailHandoversInFlight;
        _slots = Capacity > 0 ? new SemaphoreSlim(Capacity, Capacity) : null;
    }

    /// <summary>Handovers allowed in flight at once; 0: no bound.</summary>
    public int Capacity { get; }

    /// <summary>Whether <see cref="Close"/> was called: no new handover begins.</summary>
    public bool IsClosed => _closed.IsCancellationRequested;

    /// <summary>Handovers in flight now (0 when unbounded: not counted).</summary>
    public int InFlight => _slots is null ? 0 : Capacity - _slots.CurrentCount;

    /// <summary>
    /// Waits for a slot; dispose the result once the handover is over (the gateway returned or threw). Throws
    /// <see cref="HandoverGateClosedException"/> when the gate is or becomes closed before a slot is free, and
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> stops the wait: either way
    /// nothing was marked.
    /// </summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        if (IsClosed)
        {
            throw new HandoverGateClosedException();
        }

        if (_slots is null)
        {
            return Slot.None;
        }

        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        try
        {
            await _slots.WaitAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (IsClosed && !cancellationToken.IsCancellationRequested)
        {
            throw new HandoverGateClosedException();
        }

        if (IsClosed)
        {
            _slots.Release();
            throw new HandoverGateClosedException();
        }

        return new Slot(_slots);
    }

    /// <summary>Refuses every handover not yet begun (the worker is stopping); those in flight finish. Idempotent.</summary>
    public void Close()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed with the container: nothing begins any more anyway.
        }
    }

    public void Dispose()
    {
        _closed.Dispose();
        _slots?.Dispose();
    }

    private sealed class Slot(SemaphoreSlim? slots) : IDisposable
    {
        public static readonly Slot None = new(null);

        private int _released;

        public void Dispose()
        {
            if (slots is not null && Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}

/// <summary>The worker is stopping (<see cref="HandoverGate.Close"/>): this email's handover was not begun, nothing was marked or sent.</summary>
public sealed class HandoverGateClosedException() : Exception("The worker is stopping: no new email handover begins; nothing was marked or sent.");

using Azure.Core;
using Azure.Core.Pipeline;

namespace AlertPipeline.Infrastructure.Storage;

/// <summary>
/// Gives interactive requests priority on the table service. Every table request of a worker passes
/// <see cref="TableTrafficPolicy"/>: one made while an HTTP function runs (<see cref="BeginInteractive"/>, set by the
/// worker's middleware for HTTP triggers) goes at once; any other — fan-out rows, import slices, sends, the ScheduleTick —
/// is <em>background</em> and waits for one of <see cref="TableTrafficOptions.Background"/> slots, or of
/// <see cref="TableTrafficOptions.WhileInteractive"/> slots while at least one HTTP function runs in this worker. A
/// single-threaded store (Azurite) answers requests in the order they arrive, so an interactive request waits behind every
/// request in flight; bounding the background ones bounds that wait, and costs the background little where the store
/// cannot serve more at once anyway. Waiters are served first come, first served; a slot is held only while the request
/// is on the wire (not between retries).
/// </summary>
public sealed class TableTrafficGate(TableTrafficOptions options)
{
    private static readonly AsyncLocal<bool> InteractiveFlow = new();
    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private int _inFlight;
    private int _interactive;

    /// <summary>True inside <see cref="BeginInteractive"/>'s flow: this request skips the gate.</summary>
    public static bool IsInteractive => InteractiveFlow.Value;

    /// <summary>Background requests on the wire now.</summary>
    public int BackgroundInFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Background requests waiting for a slot.</summary>
    public int BackgroundWaiting
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count(w => !w.Task.IsCompleted);
            }
        }
    }

    /// <summary>
    /// Marks the calling flow interactive (its table requests skip the gate) and, until disposed, lowers the background
    /// slots to <see cref="TableTrafficOptions.WhileInteractive"/>. Call it in the flow that then awaits the work (the mark
    /// flows into everything started from there); disposing it clears the mark in that flow.
    /// </summary>
    public IDisposable BeginInteractive()
    {
        InteractiveFlow.Value = true;
        lock (_gate)
        {
            _interactive++;
        }

        return new InteractiveScope(this);
    }

    /// <summary>Waits for a background slot; dispose the answer to give it back.</summary>
    public async ValueTask<Slot> EnterBackgroundAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (_waiters.Count == 0 && HasRoom())
            {
                _inFlight++;
                return new Slot(this);
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }

        await using (cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)).ConfigureAwait(false))
        {
            // A waiter given a slot and cancelled at the same moment keeps the slot: TrySetResult won, so it is released below.
            await waiter.Task.ConfigureAwait(false);
        }

        return new Slot(this);
    }

    /// <summary>As <see cref="EnterBackgroundAsync"/>, blocking (the SDK's synchronous calls).</summary>
    public Slot EnterBackground(CancellationToken cancellationToken) => EnterBackgroundAsync(cancellationToken).AsTask().GetAwaiter().GetResult();

    private bool HasRoom()
    {
        var limit = _interactive > 0 ? options.WhileInteractive : options.Background;
        return limit == 0 || _inFlight < limit;
    }

    private void Release()
    {
        lock (_gate)
        {
            _inFlight--;
            Pump();
        }
    }

    private void EndInteractive()
    {
        lock (_gate)
        {
            _interactive--;
            Pump();
        }
    }

    /// <summary>Hands free slots to waiters in order, skipping those that gave up. Called under the lock.</summary>
    private void Pump()
    {
        while (_waiters.Count > 0 && HasRoom())
        {
            if (_waiters.Dequeue().TrySetResult())
            {
                _inFlight++;
            }
        }
    }

    /// <summary>A background slot, held until disposed (once; disposing again does nothing).</summary>
    public sealed class Slot(TableTrafficGate owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release();
            }
        }
    }

    private sealed class InteractiveScope(TableTrafficGate owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                // Only the disposing flow forgets the mark; work it started (and still runs) keeps its own copy.
                InteractiveFlow.Value = false;
                owner.EndInteractive();
            }
        }
    }
}

/// <summary>The table pipeline's step that makes background requests pass <see cref="TableTrafficGate"/> (per try).</summary>
public sealed class TableTrafficPolicy(TableTrafficGate gate) : HttpPipelinePolicy
{
    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (TableTrafficGate.IsInteractive)
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            return;
        }

        using var slot = await gate.EnterBackgroundAsync(message.CancellationToken).ConfigureAwait(false);
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (TableTrafficGate.IsInteractive)
        {
            ProcessNext(message, pipeline);
            return;
        }

        using var slot = gate.EnterBackground(message.CancellationToken);
        ProcessNext(message, pipeline);
    }
}

/// <summary>Background table requests in flight per worker (section <c>TableTraffic</c>; 0: no limit).</summary>
public sealed class TableTrafficOptions
{
    public const string SectionName = "TableTraffic";

    /// <summary>When no HTTP function runs in the worker (32).</summary>
    public int Background { get; set; } = 32;

    /// <summary>While at least one HTTP function runs in the worker (4).</summary>
    public int WhileInteractive { get; set; } = 4;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Background is < 0 or > 1024)
        {
            errors.Add($"{SectionName}:{nameof(Background)} must be between 0 (no limit) and 1024.");
        }

        if (WhileInteractive is < 0 or > 1024)
        {
            errors.Add($"{SectionName}:{nameof(WhileInteractive)} must be between 0 (no limit) and 1024.");
        }

        return errors;
    }
}

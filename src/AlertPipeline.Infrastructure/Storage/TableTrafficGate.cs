using Azure.Core;
using Azure.Core.Pipeline;

namespace AlertPipeline.Infrastructure.Storage;

/// <summary>
/// Gives interactive requests priority over bulk work on the table service. Every table request of a worker passes
/// <see cref="TableTrafficPolicy"/>: one made by a <em>bulk</em> function (<see cref="BeginBulk"/>, set by the worker's
/// middleware for the fan-out and the import job) waits for one of <see cref="TableTrafficOptions.Bulk"/> slots, or of
/// <see cref="TableTrafficOptions.BulkWhileInteractive"/> slots while at least one HTTP function runs in this worker
/// (<see cref="BeginInteractive"/>); every other request (HTTP functions, sends, the ScheduleTick) goes at once. A
/// single-threaded store (Azurite) answers requests in the order they arrive, so an interactive request waits behind every
/// request in flight; bounding the bulk ones bounds that wait. Sends are not bulk: members get their alert at the pace
/// issue 12 measured. Waiters are served first come, first served; a slot is held only while the request is on the wire
/// (not between retries).
/// </summary>
public sealed class TableTrafficGate(TableTrafficOptions options)
{
    private static readonly AsyncLocal<bool> BulkFlow = new();
    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private int _inFlight;
    private int _interactive;

    /// <summary>True inside <see cref="BeginBulk"/>'s flow: this request waits for a slot.</summary>
    public static bool IsBulk => BulkFlow.Value;

    /// <summary>Bulk requests on the wire now.</summary>
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

    /// <summary>Bulk requests waiting for a slot.</summary>
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

    /// <summary>Until disposed, lowers the bulk slots to <see cref="TableTrafficOptions.BulkWhileInteractive"/> (an HTTP function runs).</summary>
    public IDisposable BeginInteractive()
    {
        lock (_gate)
        {
            _interactive++;
        }

        return new InteractiveScope(this);
    }

    /// <summary>
    /// Marks the calling flow bulk: its table requests wait for a slot. Call it in the flow that then awaits the work (the
    /// mark flows into everything started from there); disposing it clears the mark in that flow.
    /// </summary>
    public static IDisposable BeginBulk()
    {
        BulkFlow.Value = true;
        return new BulkScope();
    }

    /// <summary>Waits for a bulk slot; dispose the answer to give it back.</summary>
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
        var limit = _interactive > 0 ? options.BulkWhileInteractive : options.Bulk;
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

    /// <summary>A bulk slot, held until disposed (once; disposing again does nothing).</summary>
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
                owner.EndInteractive();
            }
        }
    }

    private sealed class BulkScope : IDisposable
    {
        // Only the disposing flow forgets the mark; work it started (and still runs) keeps its own copy.
        public void Dispose() => BulkFlow.Value = false;
    }
}

/// <summary>The table pipeline's step that makes bulk requests pass <see cref="TableTrafficGate"/> (per try).</summary>
public sealed class TableTrafficPolicy(TableTrafficGate gate) : HttpPipelinePolicy
{
    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!TableTrafficGate.IsBulk)
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
        if (!TableTrafficGate.IsBulk)
        {
            ProcessNext(message, pipeline);
            return;
        }

        using var slot = gate.EnterBackground(message.CancellationToken);
        ProcessNext(message, pipeline);
    }
}

/// <summary>Bulk (fan-out, import) table requests in flight per worker (section <c>TableTraffic</c>; 0: no limit).</summary>
public sealed class TableTrafficOptions
{
    public const string SectionName = "TableTraffic";

    /// <summary>When no HTTP function runs in the worker (32).</summary>
    public int Bulk { get; set; } = 32;

    /// <summary>While at least one HTTP function runs in the worker (4).</summary>
    public int BulkWhileInteractive { get; set; } = 4;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Bulk is < 0 or > 1024)
        {
            errors.Add($"{SectionName}:{nameof(Bulk)} must be between 0 (no limit) and 1024.");
        }

        if (BulkWhileInteractive is < 0 or > 1024)
        {
            errors.Add($"{SectionName}:{nameof(BulkWhileInteractive)} must be between 0 (no limit) and 1024.");
        }

        return errors;
    }
}

using AlertPipeline.Infrastructure.Storage;
using AlertPipeline.Testing;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlertPipeline.UnitTests.Storage;

/// <summary><see cref="TableTrafficGate"/> and <see cref="TableTrafficPolicy"/>: bulk slots, fewer while HTTP functions run; requests outside bulk flows never wait.</summary>
public sealed class TableTrafficGateTests
{
    [Fact]
    public async Task EnterBackground_UpToTheLimitGoAtOnce_TheNextWaitsForARelease()
    {
        var gate = new TableTrafficGate(new TableTrafficOptions { Bulk = 2, BulkWhileInteractive = 1 });

        var first = await gate.EnterBackgroundAsync(default);
        var second = await gate.EnterBackgroundAsync(default);
        var third = gate.EnterBackgroundAsync(default).AsTask();

        third.IsCompleted.Should().BeFalse("two slots are taken");
        gate.BackgroundWaiting.Should().Be(1);
        first.Dispose();
        (await third).Dispose();
        second.Dispose();
        gate.BackgroundInFlight.Should().Be(0);
    }

    [Fact]
    public async Task WhileAnInteractiveRequestRuns_BackgroundGetsFewerSlots_AndTheRestWhenItEnds()
    {
        var gate = new TableTrafficGate(new TableTrafficOptions { Bulk = 3, BulkWhileInteractive = 1 });
        var interactive = gate.BeginInteractive();

        var first = await gate.EnterBackgroundAsync(default);
        var second = gate.EnterBackgroundAsync(default).AsTask();
        var third = gate.EnterBackgroundAsync(default).AsTask();
        second.IsCompleted.Should().BeFalse("one slot while an HTTP function runs");

        interactive.Dispose();
        (await second).Dispose();
        (await third).Dispose();
        first.Dispose();
        gate.BackgroundInFlight.Should().Be(0);
    }

    [Fact]
    public async Task EnterBackground_CancelledWhileWaiting_GivesUpWithoutTakingASlot()
    {
        var gate = new TableTrafficGate(new TableTrafficOptions { Bulk = 1 });
        var held = await gate.EnterBackgroundAsync(default);
        using var cancel = new CancellationTokenSource();

        var waiting = gate.EnterBackgroundAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();

        await waiting.Invoking(w => w).Should().ThrowAsync<OperationCanceledException>();
        held.Dispose();
        gate.BackgroundInFlight.Should().Be(0, "the cancelled waiter was skipped");
        (await gate.EnterBackgroundAsync(default)).Dispose();
    }

    [Fact]
    public async Task ZeroMeansNoLimit()
    {
        var gate = new TableTrafficGate(new TableTrafficOptions { Bulk = 0 });

        var slots = new List<TableTrafficGate.Slot>();
        for (var i = 0; i < 100; i++)
        {
            slots.Add(await gate.EnterBackgroundAsync(default));
        }

        gate.BackgroundInFlight.Should().Be(100);
        slots.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task Policy_BulkRequestsBeyondTheLimitWait_OthersGoPastThem()
    {
        var gate = new TableTrafficGate(new TableTrafficOptions { Bulk = 1, BulkWhileInteractive = 1 });
        var transport = new HeldTransport();
        var pipeline = HttpPipelineBuilder.Build(new TestClientOptions(transport), new TableTrafficPolicy(gate));

        var first = Task.Run(() => BulkAsync(pipeline, "/first"));
        await Poll.UntilAsync(() => transport.Arrived.Contains("/first"), "the first bulk request to reach the store");
        var second = Task.Run(() => BulkAsync(pipeline, "/second"));
        await Poll.UntilAsync(() => gate.BackgroundWaiting == 1, "the second bulk request to wait for the slot");
        var other = SendAsync(pipeline, "/other");

        await Poll.UntilAsync(() => transport.Arrived.Contains("/other"), "a request outside a bulk flow to pass the waiting one");
        transport.Arrived.Should().NotContain("/second");
        transport.Release();
        await Task.WhenAll(first, second, other);
        transport.Arrived.Should().Contain("/second");
        TableTrafficGate.IsBulk.Should().BeFalse("the mark stays in the flows that set it");
    }

    private static async Task BulkAsync(HttpPipeline pipeline, string path)
    {
        using (TableTrafficGate.BeginBulk())
        {
            await SendAsync(pipeline, path);
        }
    }

    private static async Task SendAsync(HttpPipeline pipeline, string path)
    {
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(new Uri("http://127.0.0.1:10002" + path));
        await pipeline.SendAsync(message, default);
    }

    private sealed class TestClientOptions : ClientOptions
    {
        public TestClientOptions(HttpPipelineTransport transport)
        {
            Transport = transport;
            Retry.MaxRetries = 0;
        }
    }

    /// <summary>Records each request's path as it arrives and answers 200 once <see cref="Release"/> is called.</summary>
    private sealed class HeldTransport : HttpPipelineTransport
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public System.Collections.Concurrent.ConcurrentBag<string> Arrived { get; } = [];

        public void Release() => _released.TrySetResult();

        public override Request CreateRequest() => new HttpClientTransport().CreateRequest();

        public override void Process(HttpMessage message) => ProcessAsync(message).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message)
        {
            Arrived.Add(message.Request.Uri.Path);
            await _released.Task;
            message.Response = new OkResponse();
        }
    }

    private sealed class OkResponse : Response
    {
        public override int Status => 200;

        public override string ReasonPhrase => "OK";

        public override Stream? ContentStream { get; set; }

        public override string ClientRequestId { get; set; } = string.Empty;

        public override void Dispose()
        {
        }

        protected override bool ContainsHeader(string name) => false;

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];

        protected override bool TryGetHeader(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
        {
            value = null;
            return false;
        }

        protected override bool TryGetHeaderValues(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = null;
            return false;
        }
    }
}

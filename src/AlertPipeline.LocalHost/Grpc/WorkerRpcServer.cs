using System.Collections.Concurrent;
using System.Net;
using AlertPipeline.LocalHost.Grpc.Messages;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.LocalHost.Grpc;

/// <summary>
/// The host's side of the Functions host–worker protocol: Kestrel on 127.0.0.1 (a free port), cleartext HTTP/2 only,
/// serving <c>FunctionRpc.EventStream</c> with no message size limits, as the Functions host does. A worker's stream is
/// accepted only if its first message is <c>StartStream</c> with a worker id this host launched (<see cref="Expect"/>).
/// </summary>
internal sealed class WorkerRpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WorkerRegistry _registry;

    private WorkerRpcServer(WebApplication app, WorkerRegistry registry, Uri address)
    {
        _app = app;
        _registry = registry;
        Address = address;
    }

    /// <summary><c>http://127.0.0.1:{port}/</c>: the worker's <c>--functions-uri</c>.</summary>
    public Uri Address { get; }

    public static async Task<WorkerRpcServer> StartAsync(ILogger logger, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.AddServerHeader = false;
        });
        var registry = new WorkerRegistry(logger);
        builder.Services.AddSingleton(registry);
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(new Uri(address).GetLeftPart(UriPartial.Authority).Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return new WorkerRpcServer(app, registry, uri);
    }

    /// <summary>Registers the worker about to be launched with <paramref name="workerId"/>; its stream is served by the returned channel.</summary>
    public WorkerChannel Expect(string workerId, Action<RpcLog> onLog)
    {
        var channel = new WorkerChannel(workerId, onLog);
        _registry.Add(channel);
        return channel;
    }

    /// <summary>Forgets a worker id (its process is gone).</summary>
    public void Forget(string workerId) => _registry.Remove(workerId);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>The workers this host launched and has not yet seen connect, by worker id.</summary>
internal sealed class WorkerRegistry(ILogger logger)
{
    private readonly ConcurrentDictionary<string, WorkerChannel> _expected = new(StringComparer.Ordinal);

    public ILogger Logger => logger;

    public void Add(WorkerChannel channel) => _expected[channel.WorkerId] = channel;

    public void Remove(string workerId) => _expected.TryRemove(workerId, out _);

    public bool TryTake(string workerId, out WorkerChannel channel) => _expected.TryRemove(workerId, out channel!);
}

/// <summary>The <c>FunctionRpc</c> service: hands each worker's stream to its <see cref="WorkerChannel"/>.</summary>
internal sealed class FunctionRpcService(WorkerRegistry registry) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(
        IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var first = requestStream.Current;
        if (first.ContentCase != StreamingMessage.ContentOneofCase.StartStream || !registry.TryTake(first.StartStream.WorkerId, out var channel))
        {
            LocalHostLog.WorkerStreamRefused(registry.Logger, first.ContentCase.ToString(), first.StartStream?.WorkerId ?? string.Empty);
            return;
        }

        await channel.RunAsync(requestStream, responseStream, context.CancellationToken).ConfigureAwait(false);
    }
}

using AlertPipeline.Core.Pipeline;
using AlertPipeline.CustomHandler;
using AlertPipeline.CustomHandler.Configuration;
using AlertPipeline.Functions.Hosting;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// <c>fanout-chunks</c> → <see cref="FanOutChunkHandler"/>: one page of one branch → delivery rows, a dispatch message per
/// Pending row (<c>sms-dispatch</c> / <c>email-dispatch</c>, Service Bus; SMS deferred by quiet hours wait for the
/// ScheduleTick instead) and the branch's next chunk (<c>fanout-chunks</c>).
/// </summary>
public sealed class FanOutChunkFunction(FanOutChunkHandler handler, ILogger<FanOutChunkFunction> logger) : IFunction
{
    public const string Name = "FanOutChunk";
    public const string ServiceBusConnection = "ServiceBusConnection";

    public static FunctionDefinition Definition { get; } = new(
        Name,
        [
            new QueueTriggerBinding("chunk", QueueNames.FanOutChunks, BindingTypes.DefaultStorageConnection),
            new ServiceBusOutputBinding("sms", QueueNames.SmsDispatch, ServiceBusConnection),
            new ServiceBusOutputBinding("email", QueueNames.EmailDispatch, ServiceBusConnection),
            new QueueOutputBinding("next", QueueNames.FanOutChunks, BindingTypes.DefaultStorageConnection),
        ]);

    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        if (!request.GetMessage<FanOutChunkMessage>("chunk").TryParse(out var chunk, out var error))
        {
            throw new InvocationFailedException(error);
        }

        FanOutChunkResult result;
        try
        {
            result = await handler.HandleAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (PipelineRetryException ex)
        {
            PipelineLog.Retrying(logger, Name, ex.Message);
            throw new InvocationFailedException(ex.Message);
        }

        PipelineLog.ChunkDone(logger, chunk.ToString(), result.Contacts, result.Added, result.Skipped, result.Sms.Count, result.Email.Count, result.Next is not null);
        if (result.Deferred > 0)
        {
            PipelineLog.ChunkDeferred(logger, chunk.ToString(), result.Deferred);
        }
        var response = new InvocationResponseBuilder().AddOutputs("sms", result.Sms).AddOutputs("email", result.Email);
        if (result.Next is { } next)
        {
            response.AddOutput("next", next.ToMessage());
        }

        return response.Build();
    }
}

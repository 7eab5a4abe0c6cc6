using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Channels;
using AlertPipeline.Infrastructure.Configuration;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Pipeline;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Functions.Functions;

public static class PipelineFunctionsServiceCollectionExtensions
{
    /// <summary>
    /// Everything the pipeline's functions need: the tables (<see cref="PipelineStorageServiceCollectionExtensions.AddPipelineStorage"/>),
    /// the SMS and email gateways (Twilio / SMTP when configured, the outbox otherwise), <c>Pipeline:*</c> and the Twilio
    /// webhook settings (validated on start), and the handlers (singletons: they hold only caches).
    /// </summary>
    public static IServiceCollection AddPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddPhoneNumbers(configuration);
        services.AddPipelineStorage(configuration);
        services.AddSmsGateway(configuration);
        services.AddEmailGateway(configuration);
        services.AddDispatch(configuration);
        services.AddOptions<PipelineOptions>().Bind(configuration.GetSection(PipelineOptions.SectionName)).ValidateAll(o => o.Validate());
        services.AddOptions<TwilioWebhookOptions>().Bind(configuration.GetSection("Twilio")).ValidateAll(o => o.Validate());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<PipelineOptions>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TwilioWebhookValidator>();
        services.TryAddSingleton<PipelineLookups>();
        services.TryAddSingleton<AudienceResolver>();
        services.TryAddSingleton<DeliveryClaims>();
        services.TryAddSingleton<MessageComposer>();
        services.TryAddSingleton<FanOutHandler>();
        services.TryAddSingleton<FanOutChunkHandler>();
        services.TryAddSingleton<SendSmsHandler>();
        services.TryAddSingleton<HandoverGate>();
        services.TryAddSingleton<SendEmailHandler>();
        services.TryAddSingleton<DispatchBatchHandler>();
        services.TryAddSingleton<StorageDispatchConsumer>();
        services.TryAddSingleton<DeferredDispatchReleaser>();
        services.TryAddSingleton<TwilioStatusCallbackHandler>();
        services.TryAddSingleton<StatusCallbackConsumer>();
        services.TryAddSingleton<InboundSmsHandler>();
        return services;
    }
}

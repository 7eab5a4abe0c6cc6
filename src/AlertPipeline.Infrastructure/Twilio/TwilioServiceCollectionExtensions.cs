using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Infrastructure.Twilio;

public static class TwilioServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>Twilio:*</c> into <see cref="TwilioOptions"/> (validated on start, every problem named), and registers
    /// a singleton <see cref="TwilioClient"/>, <see cref="TwilioRequestValidator"/> and <see cref="SendPacer"/>.
    /// </summary>
    /// <param name="configuration">The root configuration (the <c>Twilio</c> section is read from it).</param>
    /// <param name="configureClient">Adjusts the pipeline options after the configured values are applied (tests: a transport, short delays).</param>
    public static IServiceCollection AddTwilio(this IServiceCollection services, IConfiguration configuration, Action<TwilioClientOptions>? configureClient = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TwilioOptions>().Bind(configuration.GetSection(TwilioOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TwilioOptions>, TwilioOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TwilioOptions>>().Value;
            var clientOptions = new TwilioClientOptions();
            clientOptions.Retry.MaxRetries = options.MaxRetries;
            clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
            configureClient?.Invoke(clientOptions);
            return new TwilioClient(options.BaseUri, new TwilioCredential(options.AccountSid!, options.AuthToken!), clientOptions);
        });
        services.TryAddSingleton(sp => new TwilioRequestValidator(sp.GetRequiredService<IOptions<TwilioOptions>>().Value.AuthToken!));
        services.TryAddSingleton(sp => new SendPacer(
            sp.GetRequiredService<IOptions<TwilioOptions>>().Value.SegmentsPerSecond,
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    private sealed class TwilioOptionsValidator : IValidateOptions<TwilioOptions>
    {
        public ValidateOptionsResult Validate(string? name, TwilioOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}

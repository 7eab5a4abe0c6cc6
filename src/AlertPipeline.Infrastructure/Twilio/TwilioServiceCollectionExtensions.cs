using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Http;

namespace AlertPipeline.Infrastructure.Twilio;

public static class TwilioServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>Twilio:*</c> into <see cref="TwilioOptions"/> (validated on start, every problem named), and registers
    /// the SDK's <see cref="TwilioRestClient"/> (as <see cref="ITwilioRestClient"/>, never the static
    /// <c>TwilioClient.Init</c>) over a <see cref="SystemNetHttpClient"/> whose <see cref="System.Net.Http.HttpClient"/>
    /// times out after <see cref="TwilioOptions.NetworkTimeout"/>, and the <see cref="SendPacer"/>. (Webhooks check
    /// signatures with the SDK's <c>RequestValidator</c>: see <see cref="TwilioWebhookSignature"/>.)
    /// </summary>
    /// <param name="configuration">The root configuration (the <c>Twilio</c> section is read from it).</param>
    public static IServiceCollection AddTwilio(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TwilioOptions>().Bind(configuration.GetSection(TwilioOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TwilioOptions>, TwilioOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.TryAddSingleton<ITwilioRestClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TwilioOptions>>().Value;
            var http = new System.Net.Http.HttpClient(new TwilioBaseUriHandler(options.BaseUri)) { Timeout = options.NetworkTimeout };
            // LogLevel "debug" (from TWILIO_LOG_LEVEL) would print requests, numbers included, to the console: never.
            return new TwilioRestClient(options.AccountSid, options.AuthToken, httpClient: new SystemNetHttpClient(http)) { LogLevel = null };
        });
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

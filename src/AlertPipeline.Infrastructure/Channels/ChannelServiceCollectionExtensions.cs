using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Channels.Outbox;
using AlertPipeline.Infrastructure.Email;
using AlertPipeline.Infrastructure.Twilio;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlertPipeline.Infrastructure.Channels;

public static class ChannelServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ISmsGateway"/>: Twilio when <c>Twilio:AccountSid</c> is set (then every Twilio setting is
    /// validated on start), otherwise the outbox (<c>Outbox:Directory</c>/sms.jsonl).
    /// </summary>
    public static IServiceCollection AddSmsGateway(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!string.IsNullOrWhiteSpace(configuration[$"{TwilioOptions.SectionName}:{nameof(TwilioOptions.AccountSid)}"]))
        {
            services.AddTwilio(configuration);
            services.TryAddSingleton<TwilioSmsGateway>();
            services.TryAddSingleton<ISmsGateway>(sp => sp.GetRequiredService<TwilioSmsGateway>());
        }
        else
        {
            services.AddOutbox(configuration);
            services.TryAddSingleton<OutboxSmsSender>();
            services.TryAddSingleton<ISmsGateway>(sp => sp.GetRequiredService<OutboxSmsSender>());
        }

        return services;
    }

    /// <summary>
    /// Registers <see cref="IEmailGateway"/>: SMTP when <c>Smtp:Host</c> is set (validated on start), otherwise the
    /// outbox (<c>Outbox:Directory</c>/email.jsonl).
    /// </summary>
    public static IServiceCollection AddEmailGateway(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!string.IsNullOrWhiteSpace(configuration[$"{SmtpOptions.SectionName}:{nameof(SmtpOptions.Host)}"]))
        {
            services.AddEmail(configuration);
            services.TryAddSingleton<IEmailGateway>(sp => sp.GetRequiredService<SmtpEmailSender>());
        }
        else
        {
            services.AddOutbox(configuration);
            services.TryAddSingleton<OutboxEmailSender>();
            services.TryAddSingleton<IEmailGateway>(sp => sp.GetRequiredService<OutboxEmailSender>());
        }

        return services;
    }

    /// <summary>Binds <c>Outbox:*</c> (the folder of <c>sms.jsonl</c> and <c>email.jsonl</c>).</summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OutboxOptions>()
            .Bind(configuration.GetSection(OutboxOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Directory), "Outbox:Directory must not be empty.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        return services;
    }
}

using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Messaging;

/// <summary>
/// The texts of one alert in one language. Texts may contain <c>{{variable}}</c> placeholders (see
/// <see cref="TemplateText"/>); a template may cover only some channels (null <see cref="Sms"/> or <see cref="Email"/>).
/// </summary>
public sealed record MessageTemplate
{
    public MessageTemplate(LanguageTag language, string? sms, EmailTemplate? email)
    {
        Language = language;
        Sms = sms;
        Email = email;
    }

    public LanguageTag Language { get; init => field = value ?? throw new ArgumentNullException(nameof(Language)); }

    /// <summary>The SMS body template, or null when this template has no SMS text.</summary>
    public string? Sms { get; init; }

    /// <summary>The email templates, or null when this template has no email.</summary>
    public EmailTemplate? Email { get; init; }

    /// <summary>Whether this template has the texts <paramref name="channel"/> needs.</summary>
    public bool Covers(Channel channel) => channel switch
    {
        Channel.Sms => Sms is not null,
        Channel.Email => Email is not null,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
    };
}

/// <summary>An email's subject, plain-text body and optional HTML body, each a template text.</summary>
public sealed record EmailTemplate
{
    public EmailTemplate(string subject, string text, string? html = null)
    {
        Subject = subject;
        Text = text;
        Html = html;
    }

    public string Subject { get; init => field = value ?? throw new ArgumentNullException(nameof(Subject)); }

    public string Text { get; init => field = value ?? throw new ArgumentNullException(nameof(Text)); }

    public string? Html { get; init; }
}

using System.Net;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Messaging;

/// <summary>A template with every placeholder filled in, ready to send.</summary>
public sealed record RenderedMessage(LanguageTag Language, string? Sms, RenderedEmail? Email);

/// <summary>A rendered email. <see cref="Html"/> has its variable values HTML-escaped.</summary>
public sealed record RenderedEmail(string Subject, string Text, string? Html);

/// <summary>Fills <c>{{variable}}</c> placeholders (see <see cref="TemplateText"/>).</summary>
public static class TemplateRenderer
{
    /// <summary>
    /// Renders every text of <paramref name="template"/>. Fails, never leaving a placeholder empty, when a placeholder
    /// has no value in <paramref name="variables"/> (the error names the variable and the text:
    /// <c>sms: unknown variable 'place'…</c>), when the syntax is broken, when the SMS renders empty or longer than
    /// <see cref="SmsEncoder.MaxBodyLength"/>, or when the email subject renders empty.
    /// <para>
    /// Values are inserted as given in SMS and plain text; in <see cref="RenderedEmail.Html"/> they are HTML-escaped;
    /// in the subject, line breaks in values become spaces (no header injection). Unused variables are fine.
    /// </para>
    /// </summary>
    public static Result<RenderedMessage> Render(MessageTemplate template, IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(variables);
        var errors = new List<ValidationError>();

        string? sms = null;
        if (template.Sms is { } smsTemplate)
        {
            sms = TemplateText.Substitute(smsTemplate, "sms", variables, v => v, errors);
            if (sms is not null && string.IsNullOrWhiteSpace(sms))
            {
                errors.Add(new ValidationError("sms", "renders to an empty message, which cannot be sent"));
            }
            else if (sms is not null && sms.Length > SmsEncoder.MaxBodyLength)
            {
                errors.Add(new ValidationError("sms", $"renders to {sms.Length} characters; at most {SmsEncoder.MaxBodyLength} can be sent"));
            }
        }

        RenderedEmail? email = null;
        if (template.Email is { } emailTemplate)
        {
            var subject = TemplateText.Substitute(emailTemplate.Subject, "email.subject", variables, OneLine, errors);
            var text = TemplateText.Substitute(emailTemplate.Text, "email.text", variables, v => v, errors);
            var html = emailTemplate.Html is null
                ? null
                : TemplateText.Substitute(emailTemplate.Html, "email.html", variables, WebUtility.HtmlEncode, errors);
            if (subject is not null && string.IsNullOrWhiteSpace(subject))
            {
                errors.Add(new ValidationError("email.subject", "renders to an empty subject"));
            }

            if (subject is not null && text is not null && (emailTemplate.Html is null || html is not null))
            {
                email = new RenderedEmail(subject.Trim(), text, html);
            }
        }

        return errors.Count == 0
            ? Result.Success(new RenderedMessage(template.Language, sms, email))
            : Result.Failure<RenderedMessage>(errors);
    }

    private static string OneLine(string value) => value.ReplaceLineEndings(" ");
}

using AlertPipeline.LocalHost.Settings;

namespace AlertPipeline.LocalHost.Demo;

/// <summary>
/// Which senders the function app will use, decided as its <c>AddSmsGateway</c>/<c>AddEmailGateway</c> decide: Twilio
/// when <c>Twilio:AccountSid</c> is set, SMTP when <c>Smtp:Host</c> is set, otherwise the outbox files, whose folder
/// (<c>Outbox:Directory</c>, default <c>.outbox</c>) the demo pins to an absolute path under the script root.
/// </summary>
public sealed class DemoChannels
{
    private DemoChannels(bool twilio, bool smtp, string outboxDirectory)
    {
        UsesTwilio = twilio;
        UsesSmtp = smtp;
        OutboxDirectory = outboxDirectory;
    }

    public bool UsesTwilio { get; }

    public bool UsesSmtp { get; }

    public string OutboxDirectory { get; }

    public string SmsOutbox => Path.Combine(OutboxDirectory, "sms.jsonl");

    public string EmailOutbox => Path.Combine(OutboxDirectory, "email.jsonl");

    /// <summary>Settings the demo gives the app on top of the user's: the outbox folder as an absolute path.</summary>
    public IReadOnlyDictionary<string, string?> SettingOverrides => new Dictionary<string, string?> { ["Outbox:Directory"] = OutboxDirectory };

    public static DemoChannels From(AppSettings settings, string scriptRoot)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var outbox = settings["Outbox:Directory"] is { Length: > 0 } configured ? configured : ".outbox";
        return new DemoChannels(
            !string.IsNullOrWhiteSpace(settings["Twilio:AccountSid"]),
            !string.IsNullOrWhiteSpace(settings["Smtp:Host"]),
            Path.GetFullPath(outbox, scriptRoot));
    }

    /// <summary>Removes the outbox files of an earlier run, so the files hold exactly this run's messages.</summary>
    public void ClearOutbox()
    {
        if (!UsesTwilio && File.Exists(SmsOutbox))
        {
            File.Delete(SmsOutbox);
        }

        if (!UsesSmtp && File.Exists(EmailOutbox))
        {
            File.Delete(EmailOutbox);
        }
    }

    public string Describe() =>
        $"SMS: {(UsesTwilio ? "Twilio (Twilio:* settings)" : "outbox " + SmsOutbox)}; email: {(UsesSmtp ? "SMTP (Smtp:* settings)" : "outbox " + EmailOutbox)}";

    /// <summary>Lines in an outbox file (one message each), or null when the channel does not use the outbox.</summary>
    public static int CountLines(string path) =>
        File.Exists(path) ? File.ReadLines(path).Count(l => !string.IsNullOrWhiteSpace(l)) : 0;
}

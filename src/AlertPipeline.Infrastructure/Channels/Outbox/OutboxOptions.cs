namespace AlertPipeline.Infrastructure.Channels.Outbox;

/// <summary>Configuration section <c>Outbox</c>: where the outbox senders write <c>sms.jsonl</c> and <c>email.jsonl</c>.</summary>
public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>The folder (created when missing). Default: <c>outbox</c> under the current directory.</summary>
    public string Directory { get; set; } = Path.Combine(Environment.CurrentDirectory, "outbox");

    public string SmsPath => Path.Combine(Directory, "sms.jsonl");

    public string EmailPath => Path.Combine(Directory, "email.jsonl");
}

using System.Net;
using MimeKit;

namespace AlertPipeline.Infrastructure.Email;

/// <summary>
/// Configuration section <c>Smtp</c> (environment: <c>Smtp__Host</c>, …). When <see cref="Host"/> is not set, the
/// email outbox is used instead (see <c>AddEmailGateway</c>).
/// </summary>
public sealed class SmtpOptions
{
    public const string SectionName = "Smtp";

    public string? Host { get; set; }

    /// <summary>587 (submission with STARTTLS) by default; 465 means implicit TLS (SMTPS).</summary>
    public int Port { get; set; } = 587;

    /// <summary>Upgrade with STARTTLS before authenticating (required: a server without it is refused). Off only for a loopback sink.</summary>
    public bool UseStartTls { get; set; } = true;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender address (required).</summary>
    public string? From { get; set; }

    public string? FromName { get; set; }

    /// <summary>How long one send (connect, dialogue, data) may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    /// <summary>Every problem with these settings, each naming the key; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add("Smtp:Host is required.");
        }

        if (Port is < 1 or > 65535)
        {
            errors.Add("Smtp:Port must be 1..65535.");
        }

        if (string.IsNullOrWhiteSpace(From) || !MailboxAddress.TryParse(From, out var from) || !string.IsNullOrEmpty(from.Name) || !from.Address.Contains('@', StringComparison.Ordinal))
        {
            errors.Add("Smtp:From must be a valid email address.");
        }

        if (string.IsNullOrWhiteSpace(UserName) != string.IsNullOrEmpty(Password))
        {
            errors.Add("Set both Smtp:UserName and Smtp:Password, or neither.");
        }

        if (!UseStartTls && Port != 465 && !string.IsNullOrWhiteSpace(UserName) && !IsLoopback(Host))
        {
            errors.Add("Smtp:UseStartTls must be true when credentials are set for a non-loopback host (the password would travel in clear).");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            errors.Add("Smtp:Timeout must be positive.");
        }

        return errors;
    }

    private static bool IsLoopback(string? host) =>
        host is not null && (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip)));
}

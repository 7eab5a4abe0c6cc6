using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AlertPipeline.Infrastructure.Email;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Testing;

/// <summary>
/// A real SMTP server for tests: <c>/usr/bin/aiosmtpd</c> with the Mailbox handler on a free loopback port, storing a
/// Maildir in a temporary folder. Optionally offers (and requires) STARTTLS with a given certificate.
/// <see cref="DisposeAsync"/> stops exactly the process it started and deletes the folder.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    public const string Executable = "/usr/bin/aiosmtpd";
    private readonly Process _process;
    private readonly string _directory;

    private SmtpSink(Process process, string directory, int port, bool startTls)
    {
        _process = process;
        _directory = directory;
        Port = port;
        StartTls = startTls;
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>True when the sink offers and requires STARTTLS.</summary>
    public bool StartTls { get; }

    public string MaildirPath => Path.Combine(_directory, "maildir");

    /// <summary>The configuration keys pointing a sender at this sink, for <c>AddInMemoryCollection</c>.</summary>
    public IReadOnlyDictionary<string, string?> ConfigurationValues(string from = "alerts@union.example") => new Dictionary<string, string?>
    {
        ["Smtp:Host"] = Host,
        ["Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Smtp:UseStartTls"] = StartTls ? "true" : "false",
        ["Smtp:From"] = from,
        ["Smtp:FromName"] = "Solidarity Alerts",
    };

    /// <summary>
    /// The app's SMTP sender (plain SMTP, the <see cref="ConfigurationValues"/> sender) pointed at this sink, or at
    /// <paramref name="port"/>: a proxy in front of it.
    /// </summary>
    public SmtpEmailSender Sender(TimeSpan timeout, int? port = null) =>
        new(Options.Create(new SmtpOptions
        {
            Host = Host,
            Port = port ?? Port,
            UseStartTls = false,
            From = "alerts@union.example",
            FromName = "Solidarity Alerts",
            Timeout = timeout,
        }), NullLogger<SmtpEmailSender>.Instance);

    /// <param name="startTlsCertificate">A certificate with its private key: the sink then offers and requires STARTTLS.</param>
    public static async Task<SmtpSink> StartAsync(X509Certificate2? startTlsCertificate = null)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is not installed (Debian package python3-aiosmtpd).");
        }

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var directory = Directory.CreateTempSubdirectory("smtpsink-").FullName;
            var port = FreePort.Next();
            var psi = new ProcessStartInfo(Executable)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var arg in new[] { "-n", "-l", $"127.0.0.1:{port}" })
            {
                psi.ArgumentList.Add(arg);
            }

            if (startTlsCertificate is not null)
            {
                var certPath = Path.Combine(directory, "cert.pem");
                var keyPath = Path.Combine(directory, "key.pem");
                await File.WriteAllTextAsync(certPath, startTlsCertificate.ExportCertificatePem()).ConfigureAwait(false);
                using var key = startTlsCertificate.GetRSAPrivateKey() as AsymmetricAlgorithm ?? startTlsCertificate.GetECDsaPrivateKey()
                    ?? throw new ArgumentException("The STARTTLS certificate has no RSA or ECDSA private key.", nameof(startTlsCertificate));
                await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem()).ConfigureAwait(false);
                psi.ArgumentList.Add("--tlscert");
                psi.ArgumentList.Add(certPath);
                psi.ArgumentList.Add("--tlskey");
                psi.ArgumentList.Add(keyPath);
            }

            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("aiosmtpd.handlers.Mailbox");
            psi.ArgumentList.Add(Path.Combine(directory, "maildir"));

            var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start aiosmtpd.");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var sink = new SmtpSink(process, directory, port, startTlsCertificate is not null);
            try
            {
                await Poll.UntilAsync(
                    async () =>
                    {
                        if (process.HasExited)
                        {
                            throw new InvalidOperationException($"aiosmtpd exited with code {process.ExitCode} while starting.");
                        }

                        return await FreePort.IsListeningAsync(port).ConfigureAwait(false);
                    },
                    "aiosmtpd to listen",
                    TimeSpan.FromSeconds(20)).ConfigureAwait(false);
                return sink;
            }
            catch (Exception ex)
            {
                last = ex;
                await sink.DisposeAsync().ConfigureAwait(false);
            }
        }

        throw new InvalidOperationException("aiosmtpd did not start after 3 attempts.", last);
    }

    /// <summary>A self-signed RSA certificate for 127.0.0.1 / localhost, valid for a day, for STARTTLS tests.</summary>
    public static X509Certificate2 CreateSelfSignedCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=AlertPipeline test SMTP sink", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>Every message stored so far, oldest first.</summary>
    public async Task<IReadOnlyList<MimeMessage>> ReadMessagesAsync()
    {
        var folder = Path.Combine(MaildirPath, "new");
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var messages = new List<MimeMessage>();
        foreach (var file in new DirectoryInfo(folder).GetFiles().OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal))
        {
            messages.Add(MimeMessage.Parse(await File.ReadAllTextAsync(file.FullName).ConfigureAwait(false)));
        }

        return messages;
    }

    /// <summary>Polls (bounded) until at least <paramref name="count"/> messages are stored, and returns them all.</summary>
    public Task<IReadOnlyList<MimeMessage>> WaitForMessagesAsync(int count, TimeSpan? timeout = null) =>
        Poll.ForAsync(ReadMessagesAsync, m => m.Count >= count, $"{count} message(s) in the SMTP sink", timeout ?? TimeSpan.FromSeconds(15));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (TimeoutException)
        {
            // Leave it; the OS reaps it with the test process.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

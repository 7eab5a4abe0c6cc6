using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Alerts;

/// <summary>
/// A pseudonym for one phone number or email address: what delivery and opt-out rows are keyed by, so that table keys
/// and logs never hold the number or address. 32 lowercase hex digits. Made by <see cref="RecipientHasher"/>.
/// </summary>
public sealed record RecipientHash
{
    public const int Length = 32;

    internal RecipientHash(string value) => Value = value;

    public string Value { get; }

    public static RecipientHash Parse(string value) =>
        TryParse(value, out var hash, out var error) ? hash : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out RecipientHash? hash, [NotNullWhen(false)] out string? error)
    {
        error = Hex.Check(value, Length, "recipient hash");
        hash = error is null ? new RecipientHash(value!) : null;
        return hash is not null;
    }

    public override string ToString() => Value;
}

/// <summary>
/// Hashes recipients with a secret key: <c>HMAC-SHA256(key, "tel:" + E.164)</c> for numbers and
/// <c>HMAC-SHA256(key, "mailto:" + lowercased address)</c> for emails, truncated to 16 bytes (32 hex digits).
/// <para>
/// Keyed, not a bare SHA-256: there are only about 10^10 numbers per country code, so an unkeyed hash of a number is
/// reversed by brute force in minutes, and a leaked table would expose who is a member. With the key held apart from
/// the tables (Key Vault / app setting) the hashes reveal nothing. The key must never change once rows exist: the same
/// person must hash to the same value for de-duplication (invariant 2) and for opt-out lookups (invariant 3).
/// </para>
/// <para>
/// The same person reached through several contacts (several branches or unions) has one hash per channel, which is
/// what makes one message per alert and channel possible.
/// </para>
/// </summary>
public sealed class RecipientHasher
{
    public const int MinKeyBytes = 32;
    private readonly byte[] key;

    /// <param name="key">At least <see cref="MinKeyBytes"/> random bytes; copied.</param>
    public RecipientHasher(ReadOnlySpan<byte> key)
    {
        if (key.Length < MinKeyBytes)
        {
            throw new ArgumentException($"The recipient hash key must be at least {MinKeyBytes} bytes; it is {key.Length}.", nameof(key));
        }

        this.key = key.ToArray();
    }

    /// <summary>From a base64 key, as kept in configuration; throws <see cref="FormatException"/> when it is not base64.</summary>
    public static RecipientHasher FromBase64(string base64Key) => new(Convert.FromBase64String(base64Key));

    public RecipientHash Hash(PhoneNumber number)
    {
        ArgumentNullException.ThrowIfNull(number);
        return Compute("tel:" + number.E164);
    }

    public RecipientHash Hash(EmailAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Compute("mailto:" + address.Normalized);
    }

    /// <summary>The hash of the contact's address on <paramref name="channel"/>, or null when they have none.</summary>
    public RecipientHash? HashFor(Contact contact, Channel channel)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return channel switch
        {
            Channel.Sms => contact.Phone is { } phone ? Hash(phone) : null,
            Channel.Email => contact.Email is { } email ? Hash(email) : null,
            _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
        };
    }

    /// <summary>
    /// A pseudonym for one listing (a contact in one branch of one union), for deliveries that have no usable address:
    /// the <c>NoAddress</c> and <c>InvalidNumber</c> skips are keyed by it, so they are recorded once per listing without
    /// putting ids in keys. Its input (<c>listing:union/branch/contact</c>) can never equal an address hash's.
    /// </summary>
    public RecipientHash HashListing(UnionId unionId, BranchId branchId, ContactId contactId)
    {
        ArgumentNullException.ThrowIfNull(unionId);
        ArgumentNullException.ThrowIfNull(branchId);
        ArgumentNullException.ThrowIfNull(contactId);
        return Compute($"listing:{unionId.Value}/{branchId.Value}/{contactId.Value}");
    }

    private RecipientHash Compute(string text)
    {
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text));
        return new RecipientHash(Convert.ToHexStringLower(mac, 0, RecipientHash.Length / 2));
    }

    /// <summary>Never prints the key.</summary>
    public override string ToString() => nameof(RecipientHasher);
}

using System.Security.Cryptography;
using System.Text;

namespace AlertPipeline.Infrastructure.Storage;

/// <summary>An account name and key; signs Shared Key strings. The key never leaves this object.</summary>
public sealed class StorageSharedKeyCredential
{
    private readonly byte[] _key;

    public StorageSharedKeyCredential(string accountName, string accountKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountName);
        ArgumentException.ThrowIfNullOrWhiteSpace(accountKey);
        AccountName = accountName;
        try
        {
            _key = Convert.FromBase64String(accountKey);
        }
        catch (FormatException ex)
        {
            throw new FormatException("The storage account key is not valid base64.", ex);
        }
    }

    public string AccountName { get; }

    /// <summary>base64(HMAC-SHA256(key, UTF-8(stringToSign))).</summary>
    public string ComputeSignature(string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(stringToSign)));

    public override string ToString() => $"StorageSharedKeyCredential {{ AccountName = {AccountName} }}";
}

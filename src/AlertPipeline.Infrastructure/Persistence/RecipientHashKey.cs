using AlertPipeline.Core.Alerts;
using Microsoft.Extensions.Configuration;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// The <c>RecipientHashKey</c> setting: base64 of at least 32 random bytes, the key of every recipient hash (delivery
/// rows, opt-outs). Keep it in Key Vault; it must never change once rows exist. Outside Azure a missing key falls back to
/// <see cref="DevelopmentKey"/> (public, for local runs only); in Azure (<c>WEBSITE_INSTANCE_ID</c> or
/// <c>WEBSITE_SITE_NAME</c> set) a missing key, or the development key, fails start-up.
/// </summary>
public static class RecipientHashKey
{
    public const string SettingName = "RecipientHashKey";

    /// <summary>"alertpipeline: local development key, not a secret" (50 bytes). Never use it with real members' data.</summary>
    public const string DevelopmentKey = "YWxlcnRwaXBlbGluZTogbG9jYWwgZGV2ZWxvcG1lbnQga2V5LCBub3QgYSBzZWNyZXQ=";

    /// <summary>Whether the app runs in Azure App Service / Functions.</summary>
    public static bool IsAzure(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration["WEBSITE_INSTANCE_ID"]) || !string.IsNullOrEmpty(configuration["WEBSITE_SITE_NAME"]);

    /// <summary>Every problem with the setting, naming it (never printing the key).</summary>
    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[SettingName];
        if (string.IsNullOrWhiteSpace(value))
        {
            return IsAzure(configuration) ? [$"{SettingName} is required in Azure (base64 of at least {RecipientHasher.MinKeyBytes} random bytes, from Key Vault)."] : [];
        }

        if (IsAzure(configuration) && value.Trim() == DevelopmentKey)
        {
            return [$"{SettingName} is the public development key; set a secret one in Azure."];
        }

        try
        {
            var bytes = Convert.FromBase64String(value.Trim());
            return bytes.Length < RecipientHasher.MinKeyBytes
                ? [$"{SettingName} decodes to {bytes.Length} bytes; at least {RecipientHasher.MinKeyBytes} are required."]
                : [];
        }
        catch (FormatException)
        {
            return [$"{SettingName} is not base64."];
        }
    }

    /// <summary>The hasher for the configured key (or the development key outside Azure). Throws naming the problem.</summary>
    public static RecipientHasher CreateHasher(IConfiguration configuration)
    {
        var problems = Validate(configuration);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }

        var value = configuration[SettingName];
        return RecipientHasher.FromBase64(string.IsNullOrWhiteSpace(value) ? DevelopmentKey : value.Trim());
    }
}

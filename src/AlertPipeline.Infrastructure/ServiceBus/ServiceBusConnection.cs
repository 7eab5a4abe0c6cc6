using Microsoft.Extensions.Configuration;

namespace AlertPipeline.Infrastructure.ServiceBus;

/// <summary>
/// One Service Bus connection as the Functions conventions spell it: a connection string in <c>{name}</c> or
/// <c>ConnectionStrings:{name}</c> (<c>Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…</c>), or identity-based
/// <c>{name}__fullyQualifiedNamespace</c> (<c>alerts-sb.servicebus.windows.net</c>) with the credential settings
/// <c>{name}__credential</c> / <c>{name}__clientId</c> (none: <c>DefaultAzureCredential</c>).
/// </summary>
public sealed record ServiceBusConnectionSetting(string? ConnectionString, string? FullyQualifiedNamespace)
{
    /// <summary>
    /// The Service Bus connection named <paramref name="connectionName"/>, or null when none is set. A connection string
    /// that is not a Service Bus one (no <c>Endpoint=sb://</c>: locally the setting holds Azurite's, which the local host
    /// maps Service Bus entities to) does not count.
    /// </summary>
    public static ServiceBusConnectionSetting? Find(IConfiguration configuration, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        var connectionString = configuration.GetConnectionString(connectionName) ?? configuration[connectionName];
        if (!string.IsNullOrWhiteSpace(connectionString) && connectionString.Contains("Endpoint=sb://", StringComparison.OrdinalIgnoreCase))
        {
            return new ServiceBusConnectionSetting(connectionString.Trim(), null);
        }

        var fullyQualifiedNamespace = configuration.GetSection(connectionName)["fullyQualifiedNamespace"];
        return string.IsNullOrWhiteSpace(fullyQualifiedNamespace) ? null : new ServiceBusConnectionSetting(null, NamespaceHost(fullyQualifiedNamespace));
    }

    /// <summary>Whether the app has a Service Bus connection under <paramref name="connectionName"/> (the transport's default).</summary>
    public static bool IsConfigured(IConfiguration configuration, string connectionName = ServiceBusDispatchOptions.DefaultConnection) =>
        Find(configuration, connectionName) is not null;

    /// <summary>The host name, also when the setting was written as a URL (<c>sb://ns.servicebus.windows.net/</c>).</summary>
    private static string NamespaceHost(string value)
    {
        var trimmed = value.Trim();
        return Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host) ? uri.Host : trimmed.TrimEnd('/');
    }
}

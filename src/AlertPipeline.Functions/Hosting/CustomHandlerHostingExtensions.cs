using System.Globalization;

namespace AlertPipeline.Functions.Hosting;

/// <summary>How the handler finds its port.</summary>
public static class CustomHandlerHostingExtensions
{
    public const string PortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>
    /// The host starts the handler with <c>--urls http://127.0.0.1:%FUNCTIONS_CUSTOMHANDLER_PORT%</c> (host.json arguments),
    /// which ASP.NET Core reads itself. When no URLs are configured (no --urls, ASPNETCORE_URLS) but
    /// FUNCTIONS_CUSTOMHANDLER_PORT is set, listen on 127.0.0.1 at that port: the host always calls 127.0.0.1.
    /// </summary>
    public static WebApplicationBuilder UseCustomHandlerPort(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            return builder;
        }

        var portText = builder.Configuration[PortVariable];
        if (string.IsNullOrEmpty(portText))
        {
            return builder;
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new InvalidOperationException($"{PortVariable} must be a TCP port number (1–65535), not '{portText}'.");
        }

        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        return builder;
    }
}

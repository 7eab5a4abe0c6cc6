using AlertPipeline.Core.Common;
using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AlertPipeline.Functions.Telemetry;

/// <summary>The settings that choose where the worker's traces and metrics go (docs/observability.md).</summary>
public static class TelemetrySettings
{
    /// <summary>Application Insights (set by infra/): traces and metrics go to Azure Monitor when it is set.</summary>
    public const string AzureMonitorConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary><c>Authorization=AAD</c> (set by infra/): the exporter authenticates with the app's managed identity (optionally <c>;ClientId=…</c>).</summary>
    public const string AzureMonitorAuthentication = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>The OpenTelemetry SDK's own variable: traces and metrics also go to this OTLP endpoint when it is set (the other <c>OTEL_EXPORTER_OTLP_*</c> variables apply).</summary>
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary><c>1</c>: traces and metrics are also written to the worker's console (local runs).</summary>
    public const string Console = "ALERTPIPELINE_OTEL_CONSOLE";

    /// <summary>The service name on every span and metric.</summary>
    public const string ServiceName = "AlertPipeline.Functions";
}

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// OpenTelemetry for the worker: the pipeline's spans and metrics (<see cref="PipelineTelemetry"/>), the worker's own
    /// invocation spans, and outgoing HTTP (the Twilio request, with its query string redacted); exported to Azure Monitor
    /// when <see cref="TelemetrySettings.AzureMonitorConnectionString"/> is set, to OTLP when
    /// <see cref="TelemetrySettings.OtlpEndpoint"/> is set, to the console when <see cref="TelemetrySettings.Console"/> is
    /// <c>1</c>; with none set nothing is exported (tests add their own in-memory exporter to the same builder). Every
    /// span passes <see cref="PersonalDataSpanProcessor"/> before any exporter.
    /// </summary>
    public static OpenTelemetryBuilder AddPipelineTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var azureMonitor = configuration[TelemetrySettings.AzureMonitorConnectionString];
        var otlp = !string.IsNullOrWhiteSpace(configuration[TelemetrySettings.OtlpEndpoint]);
        var console = configuration[TelemetrySettings.Console] == "1";
        var credential = string.IsNullOrWhiteSpace(azureMonitor) ? null : AzureMonitorCredential(configuration[TelemetrySettings.AzureMonitorAuthentication]);

        var builder = services.AddOpenTelemetry();
        builder.ConfigureResource(resource => resource.AddService(TelemetrySettings.ServiceName));
        builder.WithTracing(tracing =>
        {
            tracing.AddSource(PipelineTelemetry.Name, WorkerActivitySource)
                .AddHttpClientInstrumentation()
                .AddProcessor(new PersonalDataSpanProcessor());
            if (!string.IsNullOrWhiteSpace(azureMonitor))
            {
                tracing.AddAzureMonitorTraceExporter(o => ConfigureAzureMonitor(o, azureMonitor, credential));
            }

            if (otlp)
            {
                tracing.AddOtlpExporter();
            }

            if (console)
            {
                tracing.AddConsoleExporter();
            }
        });
        builder.WithMetrics(metrics =>
        {
            metrics.AddMeter(PipelineTelemetry.Name).AddHttpClientInstrumentation();
            if (!string.IsNullOrWhiteSpace(azureMonitor))
            {
                metrics.AddAzureMonitorMetricExporter(o => ConfigureAzureMonitor(o, azureMonitor, credential));
            }

            if (otlp)
            {
                metrics.AddOtlpExporter();
            }

            if (console)
            {
                metrics.AddConsoleExporter();
            }
        });
        return builder;
    }

    /// <summary>The isolated worker's activity source (its invocation spans, which the pipeline's consumer spans link to).</summary>
    public const string WorkerActivitySource = "Microsoft.Azure.Functions.Worker";

    /// <summary>
    /// The credential for <c>Authorization=AAD</c>: the app's managed identity (system-assigned, or the user-assigned one
    /// named by <c>ClientId=</c>); null (the connection string's key) otherwise.
    /// </summary>
    internal static TokenCredential? AzureMonitorCredential(string? authentication)
    {
        var parts = (authentication ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var mode) || !string.Equals(mode, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }

    private static void ConfigureAzureMonitor(AzureMonitorExporterOptions options, string connectionString, TokenCredential? credential)
    {
        options.ConnectionString = connectionString;
        if (credential is not null)
        {
            options.Credential = credential;
        }
    }
}

using AlertPipeline.Functions.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// Produces the OpenAPI document once per process. The worker's HTTP functions carry no API description (the worker maps
/// them itself), so the document is generated the way a minimal-API app generates it: a description-only ASP.NET Core app
/// maps the same handlers (<see cref="AppEndpoints.All"/>) with the app's service registrations (so the generator tells
/// services from bodies), starts on a server that never listens, and asks Microsoft.AspNetCore.OpenApi for the document.
/// </summary>
public sealed class ApiDocumentSource(IConfiguration configuration)
{
    private readonly Lock _lock = new();
    private Task<string>? _json;

    /// <summary>The document as JSON (OpenAPI 3.1); generated on the first call, again only if that failed.</summary>
    public Task<string> GetJsonAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_json is null || _json.IsFaulted || _json.IsCanceled)
            {
                _json = GenerateAsync(configuration, CancellationToken.None);
            }

            return _json.WaitAsync(cancellationToken);
        }
    }

    private static async Task<string> GenerateAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(ApiDocumentSource).Assembly.GetName().Name });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        builder.Services.AddAlertPipeline(builder.Configuration);
        builder.Services.AddApiDocument();
        builder.Services.AddSingleton<IServer, SilentServer>();
        await using var app = builder.Build();
        app.MapHttpEndpoints(AppEndpoints.All);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var provider = app.Services.GetRequiredKeyedService<IOpenApiDocumentProvider>(ApiDocument.DocumentName);
            var document = await provider.GetOpenApiDocumentAsync(cancellationToken).ConfigureAwait(false);
            using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
            document.SerializeAsV31(new OpenApiJsonWriter(writer));
            return writer.ToString();
        }
        finally
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>An <see cref="IServer"/> that accepts the app and serves nothing.</summary>
    private sealed class SilentServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}

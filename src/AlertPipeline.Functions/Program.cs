using AlertPipeline.Functions;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Functions.Telemetry;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;

// The isolated worker: the Functions host starts this process and drives it over gRPC; HTTP triggers reach the worker's
// own ASP.NET Core server (ConfigureFunctionsWebApplication), so HTTP functions take HttpRequest and answer IResult.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<FailureRedactionMiddleware>();
// HTTP functions' table requests go first; background ones wait for a bounded number of slots (TableTrafficGate).
builder.UseMiddleware<InteractiveRequestMiddleware>();

// Per-request framework logs add nothing to the function logs (and never show bodies either way).
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
// The Azure SDK logs every 409 and 412 as a warning, but conflicts are how our writes stay idempotent (an insert that
// finds its row, an ETag claim another instance won): they are answered in code, and only real errors are worth a line.
builder.Logging.AddFilter("Azure.Core", LogLevel.Error);

// Opt-in for local runs and the end-to-end log scan: the worker's own log lines on its console too, as written (the host
// receives them over gRPC either way; in Azure this would only duplicate them, so it stays off there).
if (builder.Configuration[ConsoleLogSetting] == "1")
{
    builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
}

builder.Services.AddAlertPipeline(builder.Configuration);
// Traces and metrics (docs/observability.md): Azure Monitor, OTLP or the console, as the settings say.
builder.Services.AddPipelineTelemetry(builder.Configuration);
builder.Services.AddHostedService<ParentHostWatch>();
builder.Services.AddHostedService<HandoverGateCloser>();

builder.Build().Run();

internal static partial class Program
{
    public const string ConsoleLogSetting = "ALERTPIPELINE_CONSOLE_LOG";
}

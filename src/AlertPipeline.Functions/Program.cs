using AlertPipeline.Functions;
using AlertPipeline.Functions.Api;
using AlertPipeline.Functions.Functions;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Infrastructure.Api;

var builder = WebApplication.CreateBuilder(args);
builder.UseCustomHandlerPort();

// Per-request framework logs add nothing to the function logs (and never show bodies either way).
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Services.AddPipeline(builder.Configuration);
builder.Services.AddFunctionApp(FunctionCatalog.All);
builder.Services.AddScheduleTick(builder.Configuration);
builder.Services.AddOrganiserApi(builder.Configuration);
builder.Services.AddOrganiserReports(builder.Configuration);
builder.Services.AddSingleton<ApiGate>();
builder.Services.AddApiDocument();

var app = builder.Build();
app.MapFunctionApp();
app.Run();

public partial class Program;

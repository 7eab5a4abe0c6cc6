using AlertPipeline.Functions;
using AlertPipeline.Functions.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.UseCustomHandlerPort();
builder.Services.AddFunctionApp(FunctionCatalog.All);

var app = builder.Build();
app.MapFunctionApp();
app.Run();

public partial class Program;

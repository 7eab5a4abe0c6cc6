using AlertPipeline.TestHandler;

var builder = WebApplication.CreateBuilder(args);
builder.UseCustomHandlerPort();
var app = builder.Build();

app.MapGet("/", () => Results.Ok());
app.MapInvoked("NoOp", TestFunctions.NoOp);
app.MapInvoked("Record", TestFunctions.Record);
app.MapInvoked("FailTimes", TestFunctions.FailTimes);
app.MapInvoked("FanOutArray", TestFunctions.FanOutArray);
app.MapInvoked("ServiceBusEcho", TestFunctions.ServiceBusEcho);
app.MapInvoked("Tick", TestFunctions.Tick);
app.MapInvoked("Slow", TestFunctions.Slow);

// Http: a forwarded HTTP function (route test/echo under the "api" prefix). ?status=NNN sets the status code.
app.MapMethods("/api/test/echo", ["GET", "POST"], async (HttpContext context) =>
{
    using var reader = new StreamReader(context.Request.Body);
    var body = await reader.ReadToEndAsync(context.RequestAborted);
    var status = int.TryParse(context.Request.Query["status"], out var s) ? s : StatusCodes.Status200OK;
    return Results.Json(
        new { function = "Http", method = context.Request.Method, path = context.Request.Path.Value, query = context.Request.QueryString.Value, body },
        statusCode: status);
});

app.Run();

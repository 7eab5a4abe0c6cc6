using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.TestWorker;

/// <summary>The timer- and HTTP-triggered test functions.</summary>
public sealed class TimerAndHttpFunctions
{
    /// <summary>Every 2 seconds: one tick (with the TimerInfo the host sent) to the tick queue.</summary>
    [Function("Tick")]
    [QueueOutput("%TestQueuePrefix%-tick-out")]
    public string Tick([TimerTrigger("*/2 * * * * *")] TimerInfo timer) => JsonSerializer.Serialize(new
    {
        Function = "Tick",
        timer.IsPastDue,
        Last = timer.ScheduleStatus?.Last,
        Next = timer.ScheduleStatus?.Next,
    });

    /// <summary>Echoes the method, the <c>q</c> query value and the body, with a header, as an IActionResult.</summary>
    [Function("Echo")]
    public async Task<IActionResult> Echo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "test/echo")] HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        request.HttpContext.Response.Headers["x-test-function"] = "Echo";
        return new OkObjectResult(new { method = request.Method, q = request.Query["q"].ToString(), body });
    }
}

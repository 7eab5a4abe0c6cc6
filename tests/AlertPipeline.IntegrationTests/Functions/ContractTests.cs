using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AlertPipeline.CustomHandler;
using AlertPipeline.CustomHandler.Configuration;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlertPipeline.IntegrationTests.Functions;

/// <summary>
/// The handler's side of the protocol, over HTTP: the exact payload shapes the host sends (reference/custom-handler.md),
/// posted to test functions registered only here, and the responses the host requires.
/// </summary>
public sealed class ContractTests : IDisposable
{
    private const string PhoneNumber = "+447700900123";
    private readonly LogSink _logs = new();
    private readonly WebApplicationFactory<Program> _factory;
    private readonly HttpClient _client;

    public ContractTests()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.ConfigureServices(services =>
            {
                services.AddFunction(FunctionRegistration.Invoked<EchoFunction>(
                    new FunctionDefinition("Echo", [new QueueTriggerBinding("event", "echo-in"), new QueueOutputBinding("echo", "echo-out")])));
                services.AddFunction(FunctionRegistration.Invoked<BinaryFunction>(
                    new FunctionDefinition("Binary", [new QueueTriggerBinding("blob", "bin-in") { DataType = BindingDataType.Binary }])));
                services.AddFunction(FunctionRegistration.Invoked<TimerFunction>(
                    new FunctionDefinition("Timer", [new TimerTriggerBinding("timer", "0 */5 * * * *"), new QueueOutputBinding("ticks", "ticks")])));
                services.AddFunction(FunctionRegistration.Invoked<FailingFunction>(
                    new FunctionDefinition("Failing", [new QueueTriggerBinding("event", "fail-in")])));
                services.AddLogging(logging => logging.AddProvider(_logs));
            });
        });
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    [Fact]
    public async Task StartupProbe_GetRoot_Answers200()
    {
        using var response = await _client.GetAsync(new Uri("/", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task HealthCheck_ForwardedGet_Answers200Json()
    {
        using var response = await _client.GetAsync(new Uri("/api/health", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"status\":\"ok\"");
    }

    [Fact]
    public async Task Invoke_DoubleEncodedMessageWithStringMetadata_DecodesBoth()
    {
        // Literally the reference's shape: "Data":{"event":"\"{\\\"a\\\":1}\""}, DequeueCount "1", Id quoted in the string.
        const string body = """
            {"Data":{"event":"\"{\\\"a\\\":1}\""},
             "Metadata":{"DequeueCount":"1","Id":"\"0b3e5f0c-1111-4aaa-8bbb-222222222222\"","InsertionTime":"2026-11-22T04:04:16+00:00",
                         "PopReceipt":"\"AgAAAAMAAAAAAAAA\"","a":"\"1\"",
                         "sys":{"MethodName":"Echo","UtcNow":"2026-11-22T04:04:17Z","RandGuid":"0f8fad5b-d9cb-469f-a165-70867728950e"}}}
            """;

        using var response = await PostAsync("Echo", body, invocationId: "inv-1");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var envelope = await ReadJsonAsync(response);
        envelope.EnumerateObject().Select(p => p.Name).Should().Equal("Outputs", "Logs", "ReturnValue");
        var echo = envelope.GetProperty("Outputs").GetProperty("echo");
        echo.ValueKind.Should().Be(JsonValueKind.Object, "outputs are objects, never bare strings");
        echo.GetProperty("text").GetString().Should().Be("""{"a":1}""");
        echo.GetProperty("attempt").GetInt32().Should().Be(1);
        echo.GetProperty("id").GetString().Should().Be("0b3e5f0c-1111-4aaa-8bbb-222222222222");
        echo.GetProperty("invocationId").GetString().Should().Be("inv-1");
        echo.GetProperty("functionName").GetString().Should().Be("Echo");
    }

    [Fact]
    public async Task Invoke_BodyFieldShadowsMetadata_FunctionSeesTheBodysValue()
    {
        var request = InvocationRequestBuilder.ForQueueMessage("Echo", "event", QueueTriggerMessage.FromText("queue-id", """{"Id":"from-body"}""", 2));

        using var response = await PostAsync("Echo", request.ToJson());

        var echo = (await ReadJsonAsync(response)).GetProperty("Outputs").GetProperty("echo");
        echo.GetProperty("id").GetString().Should().Be("from-body");
        echo.GetProperty("attempt").GetInt32().Should().Be(2);
    }

    [Fact]
    public async Task Invoke_ManyMessages_OutputIsAnArrayOfObjects()
    {
        var request = InvocationRequestBuilder.ForQueueMessage("Echo", "event", QueueTriggerMessage.FromText("id", """{"copies":3}""", 1));

        using var response = await PostAsync("Echo", request.ToJson());

        var echo = (await ReadJsonAsync(response)).GetProperty("Outputs").GetProperty("echo");
        echo.ValueKind.Should().Be(JsonValueKind.Array);
        echo.EnumerateArray().Should().HaveCount(3).And.OnlyContain(e => e.ValueKind == JsonValueKind.Object);
        InvocationResponse.Parse(await response.Content.ReadAsStringAsync()).GetOutputMessages("echo")
            .Should().HaveCount(3, "the host writes one message per element");
    }

    [Fact]
    public async Task Invoke_TimerPayload_IsDecoded()
    {
        const string body = """
            {"Data":{"timer":{"Schedule":{"AdjustForDST":true},
                              "ScheduleStatus":{"Last":"2026-11-22T04:00:00+00:00","Next":"2026-11-22T04:05:00+00:00","LastUpdated":"2026-11-22T04:00:00+00:00"},
                              "IsPastDue":true}},
             "Metadata":{"sys":{"MethodName":"Timer","UtcNow":"2026-11-22T04:05:01Z","RandGuid":"0f8fad5b-d9cb-469f-a165-70867728950e"}}}
            """;

        using var response = await PostAsync("Timer", body);

        var tick = (await ReadJsonAsync(response)).GetProperty("Outputs").GetProperty("ticks");
        tick.GetProperty("isPastDue").GetBoolean().Should().BeTrue();
        tick.GetProperty("next").GetDateTimeOffset().Should().Be(new DateTimeOffset(2026, 11, 22, 4, 5, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task Invoke_BinaryPayload_ArrivesAsBase64Bytes()
    {
        var bytes = RandomNumberGenerator.GetBytes(300);
        var body = $$$"""{"Data":{"blob":"{{{Convert.ToBase64String(bytes)}}}"},"Metadata":{"DequeueCount":"1"}}""";

        using var response = await PostAsync("Binary", body);

        var result = (await ReadJsonAsync(response)).GetProperty("Outputs").GetProperty("result");
        result.GetProperty("length").GetInt32().Should().Be(300);
        result.GetProperty("sha256").GetString().Should().Be(Convert.ToHexString(SHA256.HashData(bytes)));
    }

    [Fact]
    public async Task Invoke_DeliberateFailure_Answers500WithTheReason()
    {
        var request = InvocationRequestBuilder.ForQueueMessage("Failing", "event", QueueTriggerMessage.FromText("id", """{"mode":"deliberate"}""", 1));

        using var response = await PostAsync("Failing", request.ToJson(), invocationId: "inv-9");

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var error = InvocationError.TryParse(await response.Content.ReadAsStringAsync())!;
        error.Should().Be(new InvocationError { Function = "Failing", InvocationId = "inv-9", Error = "deliberate failure on attempt 1" });
    }

    [Fact]
    public async Task Invoke_UnexpectedException_Answers500WithoutTheMessageAndLogsNoContent()
    {
        var request = InvocationRequestBuilder.ForQueueMessage(
            "Failing", "event", QueueTriggerMessage.FromText("id", $$"""{"mode":"crash","phone":"{{PhoneNumber}}"}""", 1));

        using var response = await PostAsync("Failing", request.ToJson());

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        var text = await response.Content.ReadAsStringAsync();
        text.Should().Contain("Unhandled System.InvalidOperationException").And.NotContain(PhoneNumber);
        _logs.Lines.Should().Contain(l => l.Contains("Failing", StringComparison.Ordinal) && l.Contains("InvalidOperationException", StringComparison.Ordinal));
        _logs.Lines.Should().NotContain(l => l.Contains(PhoneNumber, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invoke_UnreadableEnvelope_Answers400Json()
    {
        using var response = await PostAsync("Echo", """{"Data":"not an object"}""");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        InvocationError.TryParse(await response.Content.ReadAsStringAsync())!.Function.Should().Be("Echo");
    }

    [Fact]
    public async Task Invoke_MissingBinding_Answers500NamingIt()
    {
        using var response = await PostAsync("Echo", """{"Data":{"other":"\"x\""},"Metadata":{"DequeueCount":"1"}}""");

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        InvocationError.TryParse(await response.Content.ReadAsStringAsync())!.Error.Should().Be("Data has no binding 'event' (bindings present: other).");
    }

    [Fact]
    public async Task Invoke_UnknownFunction_Answers404()
    {
        using var response = await PostAsync("Nope", """{"Data":{},"Metadata":{}}""");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private async Task<HttpResponseMessage> PostAsync(string function, string body, string? invocationId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/" + function, UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(CustomHandlerJson.InvocationIdHeader, invocationId ?? Guid.NewGuid().ToString());
        return await _client.SendAsync(request);
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
    }

    private sealed class EchoFunction : IFunction
    {
        public Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        {
            var text = request.GetMessageText("event");
            var copies = request.GetMetadataString("copies") is { } n ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 1;
            var echo = new
            {
                text,
                attempt = request.GetDeliveryAttempt(),
                id = request.GetMetadataString(MetadataKeys.Id),
                invocationId = request.InvocationId,
                functionName = request.FunctionName,
            };
            return Task.FromResult(new InvocationResponseBuilder().AddOutputs("echo", Enumerable.Repeat(echo, copies)).Log("echoed").Build());
        }
    }

    private sealed class BinaryFunction : IFunction
    {
        public Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        {
            var bytes = request.GetMessageBytes("blob");
            return Task.FromResult(new InvocationResponseBuilder()
                .AddOutput("result", new { length = bytes.Length, sha256 = Convert.ToHexString(SHA256.HashData(bytes)) })
                .Build());
        }
    }

    private sealed class TimerFunction : IFunction
    {
        public Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        {
            var timer = request.GetTimerInfo("timer");
            return Task.FromResult(new InvocationResponseBuilder()
                .AddOutput("ticks", new { isPastDue = timer.IsPastDue, next = timer.ScheduleStatus?.Next })
                .Build());
        }
    }

    private sealed class FailingFunction : IFunction
    {
        public Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        {
            var command = request.GetMessage<FailCommand>("event");
            throw command.Mode == "crash"
                ? new InvalidOperationException($"could not text {command.Phone}")
                : new InvocationFailedException($"deliberate failure on attempt {request.GetDeliveryAttempt()}");
        }
    }

    private sealed record FailCommand(string Mode, string? Phone);
}

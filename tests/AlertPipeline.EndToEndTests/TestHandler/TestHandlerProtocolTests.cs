using System.Net;
using System.Text;
using System.Text.Json;
using AlertPipeline.CustomHandler;
using AlertPipeline.LocalHost.Configuration;
using AlertPipeline.Testing;

namespace AlertPipeline.EndToEndTests.TestHandler;

/// <summary>
/// The test handler, started as the host starts it, answers requests built as the host builds them. (The local host's
/// end-to-end tests then drive it through queues; these tests pin what each test function does.)
/// </summary>
public sealed class TestHandlerProtocolTests(TestHandlerProtocolTests.Handler handler) : IClassFixture<TestHandlerProtocolTests.Handler>
{
    private TestHandlerApp App => handler.App;

    private FunctionAppLayout Layout => handler.Layout;

    [Fact]
    public async Task NoOp_Succeeds_WithNoOutputs()
    {
        var response = await InvokeQueueAsync("NoOp", "anything", 1);

        response.Outputs.Should().BeEmpty();
    }

    [Fact]
    public async Task Record_WritesTheTextAndAttempt()
    {
        var response = await InvokeQueueAsync("Record", """{"n":7}""", 2);

        var observed = response.GetOutputMessages(Output("Record")).Single().Text;
        Json(observed).GetProperty("text").GetString().Should().Be("""{"n":7}""");
        Json(observed).GetProperty("attempt").GetInt32().Should().Be(2);
        Json(observed).GetProperty("function").GetString().Should().Be("Record");
    }

    [Theory]
    [InlineData(1, HttpStatusCode.InternalServerError)]
    [InlineData(2, HttpStatusCode.InternalServerError)]
    [InlineData(3, HttpStatusCode.OK)]
    public async Task FailTimes_FailsBelowTheGivenAttempt(int attempt, HttpStatusCode expected)
    {
        using var response = await PostAsync("FailTimes", Queue("FailTimes", """{"succeedOnAttempt":3}""", attempt));

        response.StatusCode.Should().Be(expected);
        var body = await response.Content.ReadAsStringAsync();
        if (expected != HttpStatusCode.OK)
        {
            InvocationError.TryParse(body)!.Error.Should().Be($"attempt {attempt} is below succeedOnAttempt 3.");
        }
    }

    [Fact]
    public async Task FailTimes_AlwaysFail_FailsEvenLate()
    {
        using var response = await PostAsync("FailTimes", Queue("FailTimes", """{"alwaysFail":true}""", 99));

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        InvocationError.TryParse(await response.Content.ReadAsStringAsync())!.Error.Should().Contain("alwaysFail");
    }

    [Fact]
    public async Task FanOutArray_ReturnsOneElementPerMessage()
    {
        var response = await InvokeQueueAsync("FanOutArray", """{"count":4,"tag":"x"}""", 1);

        var messages = response.GetOutputMessages(Output("FanOutArray"));
        messages.Select(m => Json(m.Text).GetProperty("index").GetInt32()).Should().Equal(0, 1, 2, 3);
    }

    [Fact]
    public async Task ServiceBusEcho_EchoesMessageIdAndDeliveryCount()
    {
        var request = InvocationRequestBuilder.ForServiceBusMessage("ServiceBusEcho", "message", ServiceBusTriggerMessage.FromText("m-1", "hello", 3));

        var response = await InvokeAsync("ServiceBusEcho", request);

        var echo = Json(response.GetOutputMessages(Output("ServiceBusEcho")).Single().Text);
        echo.GetProperty("messageId").GetString().Should().Be("m-1");
        echo.GetProperty("attempt").GetInt32().Should().Be(3);
        echo.GetProperty("text").GetString().Should().Be("hello");
    }

    [Fact]
    public async Task Tick_WritesOneTick()
    {
        var now = DateTimeOffset.UtcNow;
        var request = InvocationRequestBuilder.ForTimer(
            "Tick", "timer", new TimerScheduleStatus { Last = now.AddSeconds(-2), Next = now.AddSeconds(2), LastUpdated = now }, isPastDue: true);

        var response = await InvokeAsync("Tick", request);

        var tick = Json(response.GetOutputMessages(Output("Tick")).Single().Text);
        tick.GetProperty("isPastDue").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Slow_SleepsThenWrites()
    {
        var response = await InvokeQueueAsync("Slow", """{"delayMs":150}""", 1);

        Json(response.GetOutputMessages(Output("Slow")).Single().Text).GetProperty("sleptMs").GetInt32().Should().Be(150);
    }

    [Fact]
    public async Task Http_ForwardedRequest_IsEchoedWithTheAskedStatus()
    {
        using var content = new StringContent("ping", Encoding.UTF8, "text/plain");
        var route = ((HttpTriggerBinding)Layout.Find("Http")!.Trigger).Route!;

        using var response = await App.Client.PostAsync(new Uri(Layout.Host.Http.PathFor(route) + "?status=418", UriKind.Relative), content);

        response.StatusCode.Should().Be((HttpStatusCode)418);
        var body = Json(await response.Content.ReadAsStringAsync());
        body.GetProperty("body").GetString().Should().Be("ping");
        body.GetProperty("method").GetString().Should().Be("POST");
    }

    private string Output(string function) => Layout.Find(function)!.Outputs.Single().Name;

    private InvocationRequest Queue(string function, string text, int attempt)
    {
        var trigger = Layout.Find(function)!.Trigger.Name;
        return InvocationRequestBuilder.ForQueueMessage(function, trigger, QueueTriggerMessage.FromText(Guid.NewGuid().ToString(), text, attempt));
    }

    private Task<InvocationResponse> InvokeQueueAsync(string function, string text, int attempt) => InvokeAsync(function, Queue(function, text, attempt));

    private async Task<InvocationResponse> InvokeAsync(string function, InvocationRequest request)
    {
        using var response = await PostAsync(function, request);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        response.Content.Headers.ContentType!.MediaType.Should().Be(CustomHandlerJson.MediaType);
        return InvocationResponse.Parse(body);
    }

    private async Task<HttpResponseMessage> PostAsync(string function, InvocationRequest request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri("/" + function, UriKind.Relative))
        {
            Content = new ByteArrayContent(request.ToJsonUtf8Bytes()),
        };
        message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(CustomHandlerJson.MediaType);
        message.Headers.Add(CustomHandlerJson.InvocationIdHeader, Guid.NewGuid().ToString());
        return await App.Client.SendAsync(message);
    }

    private static JsonElement Json(string text) => JsonSerializer.Deserialize<JsonElement>(text);

    /// <summary>One handler process for the class.</summary>
    public sealed class Handler : IAsyncLifetime
    {
        public TestHandlerApp App { get; private set; } = null!;

        public FunctionAppLayout Layout { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Layout = TestHandlerApp.Load(new Dictionary<string, string> { ["TestQueuePrefix"] = AzuriteFixture.UniqueName("t") });
            App = await TestHandlerApp.StartAsync(Layout);
        }

        public async Task DisposeAsync() => await App.DisposeAsync();
    }
}

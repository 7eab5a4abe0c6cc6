using System.Text;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Functions.Functions;
using AlertPipeline.Functions.Health;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Testing;
using AlertPipeline.UnitTests.Pipeline;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;

namespace AlertPipeline.UnitTests.Functions;

/// <summary>The HTTP functions called directly with an <see cref="HttpRequest"/>, their <see cref="IResult"/> executed as the worker executes it.</summary>
public sealed class HttpFunctionTests
{
    private readonly PipelineWorld _world = new();

    [Fact]
    public async Task HealthCheck_Get_Answers200WithStatusOk()
    {
        var context = NewContext("GET", "/api/health");

        await new HealthCheckFunction().Run(context.Request).ExecuteAsync(context);

        context.Response.StatusCode.Should().Be(StatusCodes.Status200OK);
        Body(context).Should().Contain("\"status\":\"ok\"");
    }

    [Fact]
    public async Task TwilioStatus_Unsigned_Is403AndTouchesNoDelivery()
    {
        var validator = new TwilioWebhookValidator(Options.Create(new TwilioWebhookOptions { AuthToken = "token", WebhookBaseUrl = new Uri("https://alerts.example.org") }));
        var function = new TwilioStatusFunction(validator, _world.Callbacks, NullLoggerFactory.Instance, new Mock<IHostApplicationLifetime>(MockBehavior.Strict).Object);
        var context = NewContext("POST", "/api/twilio/status", "MessageSid=SM1&MessageStatus=delivered", "application/x-www-form-urlencoded");
        context.Request.QueryString = new QueryString("?ref=x");

        await (await function.RunAsync(context.Request, default)).ExecuteAsync(context);

        context.Response.StatusCode.Should().Be(StatusCodes.Status403Forbidden);
        _world.Deliveries.Rows.Should().BeEmpty();
        _world.OptOuts.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task TwilioStatus_TwilioStopsWaitingBeforeTheWrite_TheStatusIsStillStoredThenAnswered200()
    {
        const string Phone = "+447700900123";
        const string AuthToken = "token";
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "aigul", Phone);
        var alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["sms"]"""));
        var key = _world.KeyFor(alert, Channel.Sms, Phone);
        var row = DeliveryPlanner.Plan(alert, _world.Contacts, _world.Hasher, _world.Time.Now()).Single();
        _world.Deliveries.Put(row with { Status = DeliveryStatus.Sent, ProviderId = "SM1", Attempt = 1 });
        var baseUrl = new Uri("https://alerts.example.org");
        var validator = new TwilioWebhookValidator(Options.Create(new TwilioWebhookOptions { AuthToken = AuthToken, WebhookBaseUrl = baseUrl }));
        var lifetime = new Mock<IHostApplicationLifetime>(MockBehavior.Strict);
        lifetime.SetupGet(l => l.ApplicationStopping).Returns(CancellationToken.None);
        var function = new TwilioStatusFunction(validator, _world.Callbacks, NullLoggerFactory.Instance, lifetime.Object);
        var form = new Dictionary<string, string> { ["MessageSid"] = "SM1", ["MessageStatus"] = "delivered" };
        var context = NewContext("POST", "/api/twilio/status", string.Join('&', form.Select(f => $"{f.Key}={f.Value}")), "application/x-www-form-urlencoded");
        context.Request.QueryString = new QueryString("?ref=" + Uri.EscapeDataString(key.Value));
        context.Request.Headers["X-Twilio-Signature"] = FakeTwilioServer.Sign(AuthToken, $"https://alerts.example.org/api/twilio/status?ref={Uri.EscapeDataString(key.Value)}", form);
        using var twilioGaveUp = new CancellationTokenSource();
        // Twilio's read timeout passes (it hangs up) after the row was read and before it is written.
        _world.Deliveries.BeforeUpdate = _ => twilioGaveUp.Cancel();

        var result = await function.RunAsync(context.Request, twilioGaveUp.Token);
        await result.ExecuteAsync(context);

        _world.Deliveries[key].Status.Should().Be(DeliveryStatus.Delivered);
        var write = _world.Deliveries.Mock.Invocations.Single(i => i.Method.Name == nameof(IDeliveryStore.TryUpdateAsync));
        write.Arguments[2].Should().BeOfType<CancellationToken>().Which.IsCancellationRequested.Should().BeFalse("the write must not be tied to Twilio's connection");
        context.Response.StatusCode.Should().Be(StatusCodes.Status200OK, "200 only once the status is stored");
    }

    [Fact]
    public void RouteValue_MatchedValue_IsReturnedAndAMissingOneIsEmpty()
    {
        var context = NewContext("GET", "/api/unions/kz-oil/keys");
        context.Request.RouteValues["union"] = "kz-oil";

        context.Request.RouteValue("union").Should().Be("kz-oil");
        context.Request.RouteValue("branch").Should().BeEmpty("the handlers answer 404 for it");
        HttpEndpointExtensions.RouteParameters("unions/{union}/branches/{branch}/contacts/{contact}:erase").Should().Equal("union", "branch", "contact");
    }

    private static DefaultHttpContext NewContext(string method, string path, string? body = null, string? contentType = null)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Method = method;
        context.Request.Path = path;
        if (body is not null)
        {
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
            context.Request.ContentType = contentType;
            context.Request.ContentLength = Encoding.UTF8.GetByteCount(body);
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string Body(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return new StreamReader(context.Response.Body).ReadToEnd();
    }
}

using System.Text;
using AlertPipeline.Functions.Health;
using AlertPipeline.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.UnitTests.Functions;

/// <summary>The HTTP functions called directly with an <see cref="HttpRequest"/>, their <see cref="IResult"/> executed as the worker executes it.</summary>
public sealed class HttpFunctionTests
{
    [Fact]
    public async Task HealthCheck_Get_Answers200WithStatusOk()
    {
        var context = NewContext("GET", "/api/health");

        await new HealthCheckFunction().Run(context.Request).ExecuteAsync(context);

        context.Response.StatusCode.Should().Be(StatusCodes.Status200OK);
        Body(context).Should().Contain("\"status\":\"ok\"");
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

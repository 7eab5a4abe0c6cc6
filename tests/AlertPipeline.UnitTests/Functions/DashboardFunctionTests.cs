using System.Text;
using System.Text.RegularExpressions;
using AlertPipeline.Functions.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.UnitTests.Functions;

/// <summary>The dashboard's static files as <see cref="DashboardFunction"/> serves them: types, caching, security headers, only its own files.</summary>
public sealed partial class DashboardFunctionTests
{
    [Fact]
    public async Task Root_WithoutTrailingSlash_RedirectsToTheFolder()
    {
        var context = await ServeAsync("/api/dashboard", path: null);

        context.Response.StatusCode.Should().Be(StatusCodes.Status302Found);
        context.Response.Headers.Location.ToString().Should().Be("/api/dashboard/");
    }

    [Fact]
    public async Task Root_ServesIndexAsHtmlWithTheSecurityHeaders()
    {
        var context = await ServeAsync("/api/dashboard/", path: null);

        context.Response.StatusCode.Should().Be(StatusCodes.Status200OK);
        context.Response.ContentType.Should().Be("text/html; charset=utf-8");
        Body(context).Should().Contain("<script type=\"module\" src=\"js/app.js\"></script>");
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy.ToString().Should().Be(DashboardFunction.ContentSecurityPolicy)
            .And.Contain("default-src 'none'").And.Contain("script-src 'self'").And.Contain("connect-src 'self'").And.NotContain("unsafe");
        headers.XContentTypeOptions.ToString().Should().Be("nosniff");
        headers.XFrameOptions.ToString().Should().Be("DENY");
        headers["Referrer-Policy"].ToString().Should().Be("no-referrer");
        headers.CacheControl.ToString().Should().Be("no-cache");
        headers.ETag.ToString().Should().MatchRegex("^\"[A-Za-z0-9_-]{22}\"$");
    }

    [Theory]
    [InlineData("js/app.js", "text/javascript; charset=utf-8")]
    [InlineData("js/sms.js", "text/javascript; charset=utf-8")]
    [InlineData("styles.css", "text/css; charset=utf-8")]
    [InlineData("favicon.svg", "image/svg+xml")]
    public async Task File_IsServedWithItsMediaType(string path, string contentType)
    {
        var context = await ServeAsync("/api/dashboard/" + path, path);

        context.Response.StatusCode.Should().Be(StatusCodes.Status200OK);
        context.Response.ContentType.Should().Be(contentType);
        Body(context).Should().NotBeEmpty();
    }

    [Fact]
    public async Task SameETag_Answers304WithoutBody()
    {
        var first = await ServeAsync("/api/dashboard/styles.css", "styles.css");
        var etag = first.Response.Headers.ETag.ToString();

        var second = await ServeAsync("/api/dashboard/styles.css", "styles.css", request => request.Headers.IfNoneMatch = $"\"other\", {etag}");

        second.Response.StatusCode.Should().Be(StatusCodes.Status304NotModified);
        Body(second).Should().BeEmpty();
        second.Response.Headers.ETag.ToString().Should().Be(etag);
    }

    [Theory]
    [InlineData("../AlertPipeline.Functions.dll")]
    [InlineData("..%2f..%2fhost.json")]
    [InlineData("js/../../host.json")]
    [InlineData("/etc/passwd")]
    [InlineData("..\\appsettings.json")]
    [InlineData("host.json")]
    [InlineData("AlertPipeline.Functions.dll")]
    [InlineData("JS/APP.JS")]
    [InlineData("js/")]
    public async Task PathOutsideTheDashboardFiles_Is404(string path)
    {
        var context = await ServeAsync("/api/dashboard/" + path, path);

        context.Response.StatusCode.Should().Be(StatusCodes.Status404NotFound);
        context.Response.Headers.CacheControl.ToString().Should().Be("no-store");
        context.Response.Headers.ContentSecurityPolicy.ToString().Should().Be(DashboardFunction.ContentSecurityPolicy);
    }

    [Fact]
    public void EmbeddedFiles_AreTheWwwrootFolder()
    {
        var folder = Path.Combine(Testing.RepositoryPaths.Combine("src", "AlertPipeline.Functions", "Dashboard", "wwwroot"));
        var onDisk = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'));

        DashboardAssets.Embedded.Paths.Should().BeEquivalentTo(onDisk);
        DashboardAssets.Embedded.Paths.Should().Contain(["index.html", "js/app.js", "js/sms.js", "styles.css"]);
    }

    [Fact]
    public void EveryModuleImport_IsAnEmbeddedFileAndNothingComesFromAnotherOrigin()
    {
        foreach (var path in DashboardAssets.Embedded.Paths.Where(p => p.EndsWith(".js", StringComparison.Ordinal) || p.EndsWith(".html", StringComparison.Ordinal) || p.EndsWith(".css", StringComparison.Ordinal)))
        {
            DashboardAssets.Embedded.TryGet(path, out var asset).Should().BeTrue();
            var text = Encoding.UTF8.GetString(asset.Content);
            text.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal)
                .Should().NotContainAny(["http://", "https://", "//cdn", "@import url("], $"{path} must load nothing from another origin");
            foreach (Match import in ModuleImport().Matches(text))
            {
                var target = new Uri(new Uri("https://x/" + path), import.Groups["url"].Value).AbsolutePath.TrimStart('/');
                DashboardAssets.Embedded.TryGet(target, out _).Should().BeTrue($"{path} refers to {import.Groups["url"].Value}");
            }
        }
    }

    [Fact]
    public void ContentTypeOf_AFileTypeTheDashboardDoesNotServe_Throws() =>
        FluentActions.Invoking(() => DashboardAssets.ContentTypeOf("notes.exe")).Should().Throw<InvalidOperationException>().WithMessage("*notes.exe*");

    private static async Task<DefaultHttpContext> ServeAsync(string requestPath, string? path, Action<HttpRequest>? configure = null)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Method = "GET";
        context.Request.Path = requestPath;
        if (path is not null)
        {
            context.Request.RouteValues["path"] = path;
        }

        configure?.Invoke(context.Request);
        context.Response.Body = new MemoryStream();
        await new DashboardFunction().Run(context.Request).ExecuteAsync(context);
        return context;
    }

    private static string Body(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return new StreamReader(context.Response.Body).ReadToEnd();
    }

    [GeneratedRegex("""(?:import|from)\s*["'](?<url>\.{1,2}/[^"']+)["']|(?:src|href)="(?<url>[^"'#:]+)["]""")]
    private static partial Regex ModuleImport();
}

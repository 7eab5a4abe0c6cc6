using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace AlertPipeline.IntegrationTests.Api;

/// <summary>
/// The request body limit of each class of endpoint (docs/api.md "Limits"): 413 with the limit named (<c>limit</c>,
/// <c>limitName</c>), on a declared Content-Length before anything else, and while reading a body sent without one.
/// </summary>
public sealed class RequestLimitTests(ApiTestApp app) : IClassFixture<ApiTestApp>
{
    private const int JsonLimit = 64 * 1024;
    private const int ImportLimit = 5 * 1024 * 1024;

    public static TheoryData<string, string, bool> JsonAndBodylessEndpoints() => new()
    {
        { "POST", "/branches", true },                    // a JSON body
        { "POST", "/keys", true },                        // a JSON body (key management)
        { "PUT", "/subscriptions/some-campaign", true },  // takes no body
        { "GET", "/branches", true },                     // takes no body
        { "DELETE", "/keys/0123456789abcdef", false },    // takes no body; refused even before the key is looked at
    };

    [Theory]
    [MemberData(nameof(JsonAndBodylessEndpoints))]
    public async Task ApiEndpoint_DeclaredBodyOverApiMaxBodyBytes_Is413NamingTheLimit(string method, string route, bool withKey)
    {
        var union = await app.NewUnionAsync();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"name\":\"" + new string('a', JsonLimit) + "\"}"));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await app.SendAsync(new HttpMethod(method), union.Base + route, withKey ? union.AdminKey : null, content);

        await ShouldBe413Async(response, JsonLimit, "Api:MaxBodyBytes");
    }

    [Fact]
    public async Task JsonEndpoint_ChunkedBodyOverTheLimit_Is413WhileReading()
    {
        var union = await app.NewUnionAsync();
        using var content = new ChunkedContent(Encoding.UTF8.GetBytes("{\"branchId\":\"x\",\"name\":\"" + new string('a', JsonLimit) + "\"}"), "application/json");

        using var response = await app.SendAsync(HttpMethod.Post, union.Base + "/branches", union.AdminKey, content);

        await ShouldBe413Async(response, JsonLimit, "Api:MaxBodyBytes");
    }

    [Fact]
    public async Task BootstrapAdminEndpoint_BodyOverTheLimit_Is413()
    {
        using var content = ApiTestApp.Json(new { unionId = "big", name = new string('a', JsonLimit) });

        using var response = await app.SendAsync(HttpMethod.Post, "/api/unions", ApiTestApp.AdminSecret, content);

        await ShouldBe413Async(response, JsonLimit, "Api:MaxBodyBytes");
    }

    [Fact]
    public async Task CsvImport_HasItsOwnLimit_OverAJsonBodysButUnderApiMaxImportBytes()
    {
        var union = await app.NewUnionAsync();
        var path = $"{union.Base}/branches/{union.Branch}/contacts:import";
        var header = "contactId,name,phone,email,language,timeZone,smsConsent,emailConsent\n";
        // 200 KiB in 1000 lines: over the JSON limit, under the job threshold, fine for an import (lines with a bad
        // column count, each reported, none stored).
        var lines = string.Concat(Enumerable.Repeat("x," + new string('y', 200) + "\n", 1000));

        using var accepted = await app.SendAsync(HttpMethod.Post, path, union.AdminKey, ApiTestApp.Csv(header + lines));
        using var declared = await app.SendAsync(HttpMethod.Post, path, union.AdminKey, ApiTestApp.Csv(header + new string('x', ImportLimit)));
        using var chunked = new ChunkedContent(Encoding.UTF8.GetBytes(header + new string('x', ImportLimit)), "text/csv");
        using var streamed = await app.SendAsync(HttpMethod.Post, path, union.AdminKey, chunked);

        accepted.StatusCode.Should().Be(HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
        await ShouldBe413Async(declared, ImportLimit, "Api:MaxImportBytes");
        await ShouldBe413Async(streamed, ImportLimit, "Api:MaxImportBytes");
    }

    [Theory]
    [InlineData("/api/health")]
    [InlineData("/api/openapi.json")]
    public async Task EndpointWithoutBody_AnyBodyOverOneKiB_Is413(string path)
    {
        using var content = new ByteArrayContent(new byte[2048]);

        using var response = await app.SendAsync(HttpMethod.Get, path, key: null, content);
        using var plain = await app.SendAsync(HttpMethod.Get, path, key: null);

        await ShouldBe413Async(response, 1024, "no request body");
        plain.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static async Task ShouldBe413Async(HttpResponseMessage response, int limit, string limitName)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge, text);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = JsonDocument.Parse(text).RootElement;
        problem.GetProperty("limit").GetInt32().Should().Be(limit);
        problem.GetProperty("limitName").GetString().Should().Be(limitName);
        problem.GetProperty("detail").GetString().Should().Contain(limit.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain(limitName);
    }

    /// <summary>A body sent without Content-Length (chunked).</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _body;

        public ChunkedContent(byte[] body, string mediaType)
        {
            _body = body;
            Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

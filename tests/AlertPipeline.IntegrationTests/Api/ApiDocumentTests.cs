using System.Net;
using System.Text.Json;
using AlertPipeline.Functions.Api;
using AlertPipeline.IntegrationTests.Functions;

namespace AlertPipeline.IntegrationTests.Api;

/// <summary>The OpenAPI document describes every organiser endpoint the app serves.</summary>
public sealed class ApiDocumentTests(ApiTestApp app) : IClassFixture<ApiTestApp>
{
    /// <summary>Every HTTP function of the built app (functions.metadata) that organisers call: name and method.</summary>
    public static TheoryData<string, string> OrganiserOperations()
    {
        var data = new TheoryData<string, string>();
        foreach (var function in BuiltFunctionApp.HttpFunctions.Where(f => ApiDocument.IsDescribed("api/" + f.Route)))
        {
            foreach (var method in function.Methods)
            {
                data.Add(function.Name, method);
            }
        }

        return data;
    }

    [Fact]
    public void OrganiserOperations_CoverTheApiButNotTheDocumentWebhooksOrHealth() =>
        OrganiserOperations().Select(row => (string)row[0]).Distinct().Should().HaveCount(OrganiserApi.Endpoints.Count).And.Contain(["ApiKeys", "ApiAlertReport"])
            .And.NotContain(["ApiOpenApi", "TwilioStatus", "TwilioInbound", "HealthCheck", "Dashboard"]);

    [Theory]
    [MemberData(nameof(OrganiserOperations))]
    public async Task Document_EveryOrganiserEndpoint_IsDescribed(string function, string method)
    {
        ApiOperations.All.Should().ContainKey((function, method), "every operation needs its summary, body and answers in ApiOperations");
        var described = ApiOperations.All[(function, method)];
        var path = "/api/" + BuiltFunctionApp.HttpFunctions.Single(f => f.Name == function).Route;
        var document = await GetDocumentAsync();

        document.GetProperty("paths").TryGetProperty(path, out var operations).Should().BeTrue($"{path} is served, so it must be described");
        operations.TryGetProperty(method.ToLowerInvariant(), out var operation).Should().BeTrue($"{path} answers {method}");
        operation.GetProperty("summary").GetString().Should().Be(described.Summary);
        var responses = operation.GetProperty("responses");
        responses.TryGetProperty(described.Success.ToString(System.Globalization.CultureInfo.InvariantCulture), out _).Should().BeTrue();
        responses.GetProperty("404").GetProperty("content").TryGetProperty("application/problem+json", out _).Should().BeTrue();
        if (described.Request is not null)
        {
            operation.GetProperty("requestBody").GetProperty("content").TryGetProperty(described.RequestMediaType, out _).Should().BeTrue();
        }
    }

    [Fact]
    public async Task Document_ContactBody_HasItsFieldsInTheSchema()
    {
        var document = await GetDocumentAsync();

        var contact = document.GetProperty("paths").GetProperty("/api/unions/{union}/branches/{branch}/contacts").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        contact.GetProperty("properties").EnumerateObject().Select(p => p.Name).Should()
            .BeEquivalentTo("contactId", "name", "phone", "email", "language", "timeZone", "smsConsent", "emailConsent");
    }

    [Fact]
    public async Task Document_WithoutKey_IsOpenApi3WithTheApiKeyScheme()
    {
        using var response = await app.SendAsync(HttpMethod.Get, ApiDocument.Path, key: null);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var document = await ApiTestApp.ReadJsonAsync(response);

        document.GetProperty("openapi").GetString().Should().StartWith("3.");
        document.GetProperty("info").GetProperty("title").GetString().Should().Be("AlertPipeline organiser API");
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty(ApiDocument.SecuritySchemeName);
        scheme.GetProperty("type").GetString().Should().Be("apiKey");
        scheme.GetProperty("in").GetString().Should().Be("header");
        scheme.GetProperty("name").GetString().Should().Be("X-Api-Key");
        document.GetProperty("security")[0].TryGetProperty(ApiDocument.SecuritySchemeName, out _).Should().BeTrue();
    }

    [Fact]
    public async Task Document_TwilioWebhooksAndHealth_AreLeftOut()
    {
        var document = await GetDocumentAsync();

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.Should().Contain("/api/unions/{union}/branches").And.NotContain("/api/health");
        paths.Should().NotContain(p => p.StartsWith("/api/twilio/", StringComparison.Ordinal));
    }

    private async Task<JsonElement> GetDocumentAsync()
    {
        using var response = await app.SendAsync(HttpMethod.Get, ApiDocument.Path, key: null);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await ApiTestApp.ReadJsonAsync(response);
    }
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.IntegrationTests.Api;

/// <summary>The function app on Azurite with its own table prefix and a bootstrap admin secret; one per test class.</summary>
public sealed class ApiTestApp : IAsyncLifetime
{
    public const string AdminSecret = "test-bootstrap-admin-secret-0123456789";
    private readonly string _prefix = AzuriteFixture.UniqueName("api");
    private string _connectionString = null!;

    public TestAppServer Factory { get; private set; } = null!;

    /// <summary>The Azurite connection string and table prefix the app uses (for tools that work on storage directly).</summary>
    public string ConnectionString => _connectionString;

    public string TablePrefix => _prefix;

    public HttpClient Client { get; private set; } = null!;

    public ApiKeyService Keys => Factory.Services.GetRequiredService<ApiKeyService>();

    public AuditLog Audit => Factory.Services.GetRequiredService<AuditLog>();

    public MembershipRepository Membership => Factory.Services.GetRequiredService<MembershipRepository>();

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        _connectionString = azurite.ConnectionString;
        Factory = TestFunctionApps.Create(
            azurite.ConnectionString, _prefix, new Dictionary<string, string> { ["Api:AdminKeyHash"] = ApiKeyService.Hash(AdminSecret) });
        Client = Factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        await TestFunctionApps.DeleteTablesAsync(Factory, _connectionString, _prefix);
        Client.Dispose();
        await Factory.DisposeAsync();
    }

    /// <summary>A new union (unique id) with a union-admin key, an organiser key and one branch.</summary>
    public Task<TestUnion> NewUnionAsync(string branch = "central") => TestFunctionApps.NewUnionAsync(Factory, branch);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, HttpContent? content = null, bool xApiKey = false)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        if (key is not null)
        {
            if (xApiKey)
            {
                request.Headers.Add("X-Api-Key", key);
            }
            else
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
            }
        }

        return await Client.SendAsync(request);
    }

    public static StringContent Json(object value) => new(JsonSerializer.Serialize(value, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");

    public static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static object ContactBody(string contactId, string phone = "+447700900123", string email = "jane@example.org") => new
    {
        contactId,
        name = "Jane Doe",
        phone,
        email,
        language = "en",
        timeZone = "Europe/London",
        smsConsent = true,
        emailConsent = false,
    };
}

public sealed record TestUnion(string UnionId, string Branch, string AdminKey, string AdminKeyId, string OrganiserKey)
{
    public string Base => $"/api/unions/{UnionId}";
}

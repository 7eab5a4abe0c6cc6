using System.Net;
using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.IntegrationTests.Api;

/// <summary><c>GET /keys</c> (ids, roles and state, never a secret) and <c>GET /audit</c> (newest first, paged).</summary>
public sealed class KeysAndAuditApiTests(ApiTestApp app) : IClassFixture<ApiTestApp>
{
    [Fact]
    public async Task ListKeys_UnionAdmin_ListsEveryKeyOfTheUnionWithoutSecretsOrHashes()
    {
        var union = await app.NewUnionAsync();
        var other = await app.NewUnionAsync();
        var unionId = UnionId.Parse(union.UnionId);
        var organiser = (await app.Keys.FindBySecretAsync(union.OrganiserKey))!;
        var rotated = (await app.Keys.RotateAsync(unionId, organiser.KeyId)).Created!;

        using var response = await app.SendAsync(HttpMethod.Get, union.Base + "/keys", union.AdminKey);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync();
        foreach (var secret in new[] { union.AdminKey, union.OrganiserKey, rotated.Secret })
        {
            text.Should().NotContain(secret).And.NotContain(ApiKeyService.Hash(secret));
        }

        text.Should().NotContain(other.AdminKeyId, "another union's keys are not listed");
        var items = JsonDocument.Parse(text).RootElement.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("keyId").GetString()!);
        items.Keys.Should().BeEquivalentTo([union.AdminKeyId, organiser.KeyId, rotated.Record.KeyId]);
        items[union.AdminKeyId].GetProperty("role").GetString().Should().Be("union-admin");
        items[union.AdminKeyId].GetProperty("revokedAt").ValueKind.Should().Be(JsonValueKind.Null);
        items[organiser.KeyId].GetProperty("role").GetString().Should().Be("organiser");
        items[organiser.KeyId].GetProperty("revokedAt").ValueKind.Should().Be(JsonValueKind.String);
        items[organiser.KeyId].GetProperty("replacedBy").GetString().Should().Be(rotated.Record.KeyId);
        items[rotated.Record.KeyId].GetProperty("createdAt").GetDateTimeOffset().Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        items[rotated.Record.KeyId].EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["keyId", "role", "createdAt", "revokedAt", "replacedBy"]);
    }

    [Fact]
    public async Task ListKeys_BootstrapAdmin_ListsTheUnionsKeys()
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(HttpMethod.Get, union.Base + "/keys", ApiTestApp.AdminSecret);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ApiTestApp.ReadJsonAsync(response)).GetProperty("items").GetArrayLength().Should().Be(2);
    }

    [Fact]
    public async Task ListKeys_BootstrapAdminForUnknownUnion_Answers404LikeAnotherUnionsKey()
    {
        var other = await app.NewUnionAsync();

        using var admin = await app.SendAsync(HttpMethod.Get, "/api/unions/no-such-union/keys", ApiTestApp.AdminSecret);
        using var key = await app.SendAsync(HttpMethod.Get, "/api/unions/no-such-union/keys", other.AdminKey);

        admin.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await admin.Content.ReadAsStringAsync()).Should().Be(await key.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Audit_BootstrapAdminSecret_IsNotAKey()
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(HttpMethod.Get, union.Base + "/audit", ApiTestApp.AdminSecret);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Audit_PagesNewestFirstUntilTheLastPage()
    {
        var union = await app.NewUnionAsync();
        foreach (var branch in new[] { "b1", "b2", "b3" })
        {
            using var created = await app.SendAsync(HttpMethod.Post, union.Base + "/branches", union.AdminKey, ApiTestApp.Json(new { branchId = branch, name = branch }));
            created.StatusCode.Should().Be(HttpStatusCode.Created);
        }

        using var conflict = await app.SendAsync(HttpMethod.Post, union.Base + "/branches", union.AdminKey, ApiTestApp.Json(new { branchId = "b1", name = "again" }));
        conflict.StatusCode.Should().Be(HttpStatusCode.Conflict);

        var seen = new List<JsonElement>();
        string? token = null;
        var pages = 0;
        do
        {
            var query = "/audit?limit=3" + (token is null ? string.Empty : "&continuationToken=" + Uri.EscapeDataString(token));
            using var response = await app.SendAsync(HttpMethod.Get, union.Base + query, union.AdminKey);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            var page = await ApiTestApp.ReadJsonAsync(response);
            page.GetProperty("items").GetArrayLength().Should().BeLessThanOrEqualTo(3);
            seen.AddRange(page.GetProperty("items").EnumerateArray());
            token = page.GetProperty("continuationToken").ValueKind == JsonValueKind.Null ? null : page.GetProperty("continuationToken").GetString();
            pages++;
        }
        while (token is not null && pages < 10);

        token.Should().BeNull();
        seen.Should().HaveCount(4, "three creations and one refusal; the GETs are not audited");
        seen.Select(e => e.GetProperty("at").GetDateTimeOffset()).Should().BeInDescendingOrder();
        var newest = seen[0];
        newest.GetProperty("status").GetInt32().Should().Be(409);
        newest.GetProperty("outcome").GetString().Should().Be("Refused");
        newest.GetProperty("actor").GetString().Should().Be(union.AdminKeyId);
        newest.GetProperty("role").GetString().Should().Be("union-admin");
        newest.GetProperty("method").GetString().Should().Be("POST");
        newest.GetProperty("route").GetString().Should().Be("/api/unions/{union}/branches");
        seen.Skip(1).Should().OnlyContain(e => e.GetProperty("outcome").GetString() == "Succeeded" && e.GetProperty("status").GetInt32() == 201);
    }

    [Fact]
    public async Task Audit_ShowsOnlyTheUnionsOwnRows()
    {
        var union = await app.NewUnionAsync();
        var other = await app.NewUnionAsync();
        using var write = await app.SendAsync(HttpMethod.Post, other.Base + "/branches", other.AdminKey, ApiTestApp.Json(new { branchId = "north", name = "North" }));

        using var response = await app.SendAsync(HttpMethod.Get, union.Base + "/audit", union.AdminKey);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await ApiTestApp.ReadJsonAsync(response);
        body.GetProperty("items").GetArrayLength().Should().Be(0);
        body.GetProperty("continuationToken").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("continuationToken=not-a-token", "continuationToken")]
    public async Task Audit_BadQuery_Answers400NamingTheParameter(string query, string field)
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(HttpMethod.Get, $"{union.Base}/audit?{query}", union.AdminKey);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ApiTestApp.ReadJsonAsync(response)).GetProperty("errors")[0].GetProperty("field").GetString().Should().Be(field);
    }
}

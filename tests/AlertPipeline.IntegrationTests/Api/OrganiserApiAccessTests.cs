using System.Net;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.IntegrationTests.Api;

/// <summary>Authentication, roles and tenancy on every endpoint of the organiser API.</summary>
public sealed class OrganiserApiAccessTests(ApiTestApp app) : IClassFixture<ApiTestApp>
{
    /// <summary>Every endpoint: name, method, path under the union's base, body.</summary>
    public static TheoryData<string> Endpoints => new()
    {
        "create-key", "rotate-key", "revoke-key", "list-branches", "create-branch", "get-branch", "delete-branch",
        "list-contacts", "create-contact", "get-contact", "update-contact", "delete-contact", "import-contacts",
        "list-keys", "read-audit",
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_NoKey_Answers401Problem(string endpoint)
    {
        var union = await app.NewUnionAsync();
        using var response = await SendAsync(endpoint, union, key: null);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        response.Headers.WwwAuthenticate.ToString().Should().Be("ApiKey");
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_UnknownKey_Answers401(string endpoint)
    {
        var union = await app.NewUnionAsync();
        using var response = await SendAsync(endpoint, union, key: "apk_not-a-real-key");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_RevokedKey_Answers401(string endpoint)
    {
        var union = await app.NewUnionAsync();
        (await app.Keys.RevokeAsync(UnionId.Parse(union.UnionId), union.AdminKeyId)).Should().BeTrue();

        using var response = await SendAsync(endpoint, union, union.AdminKey);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_OrganiserKey_Answers403(string endpoint)
    {
        var union = await app.NewUnionAsync();
        await SeedContactAsync(union);

        using var response = await SendAsync(endpoint, union, union.OrganiserKey);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await app.Membership.GetContactAsync(UnionId.Parse(union.UnionId), BranchId.Parse(union.Branch), ContactId.Parse("c1"))).Should().NotBeNull();
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_OwnUnionAdminKey_Succeeds(string endpoint)
    {
        var union = await app.NewUnionAsync();
        await SeedContactAsync(union);

        using var response = await SendAsync(endpoint, union, union.AdminKey);

        ((int)response.StatusCode).Should().BeInRange(200, 299, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_AnotherUnionsKey_Answers404LikeAMissingUnionAndChangesNothing(string endpoint)
    {
        var victim = await app.NewUnionAsync();
        var other = await app.NewUnionAsync();
        await SeedContactAsync(victim);
        var victimId = UnionId.Parse(victim.UnionId);

        using var response = await SendAsync(endpoint, victim, other.AdminKey);
        using var missing = await SendAsync(endpoint, victim with { UnionId = "no-such-union" }, other.AdminKey);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var body = await response.Content.ReadAsStringAsync();
        body.Should().Be(await missing.Content.ReadAsStringAsync(), "another union's data must look exactly like data that does not exist");
        body.Should().NotContain(victim.UnionId).And.NotContain("Jane");
        (await app.Membership.GetContactAsync(victimId, BranchId.Parse(victim.Branch), ContactId.Parse("c1")))!.Contact.Name.Should().Be("Jane Doe");
        (await app.Membership.GetBranchAsync(victimId, BranchId.Parse(victim.Branch))).Should().NotBeNull();
        (await app.Keys.GetAsync(victimId, victim.AdminKeyId))!.IsRevoked.Should().BeFalse();
        (await app.Audit.ReadRecentAsync(victimId)).Should().BeEmpty("nothing reached the victim's union");
    }

    [Fact]
    public async Task XApiKeyHeader_IsAcceptedLikeAuthorization()
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(HttpMethod.Get, union.Base + "/branches", union.AdminKey, xApiKey: true);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CreateKey_BootstrapAdminSecret_CreatesAWorkingKeyShownOnce()
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(HttpMethod.Post, union.Base + "/keys", ApiTestApp.AdminSecret, ApiTestApp.Json(new { role = "union-admin" }));

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        var created = await ApiTestApp.ReadJsonAsync(response);
        var key = created.GetProperty("key").GetString()!;
        key.Should().StartWith("apk_");
        created.GetProperty("role").GetString().Should().Be("union-admin");
        created.GetProperty("keyId").GetString().Should().Be(ApiKeyService.Hash(key)[..16]);
        using var use = await app.SendAsync(HttpMethod.Get, union.Base + "/branches", key);
        use.StatusCode.Should().Be(HttpStatusCode.OK);
        var audit = await app.Audit.ReadRecentAsync(UnionId.Parse(union.UnionId));
        audit.Should().ContainSingle(e => e.Route == "/api/unions/{union}/keys" && e.Actor == "admin" && e.Status == 201);
    }

    [Fact]
    public async Task CreateKey_BootstrapAdminForUnknownUnion_Answers404()
    {
        using var response = await app.SendAsync(HttpMethod.Post, "/api/unions/no-such-union/keys", ApiTestApp.AdminSecret, ApiTestApp.Json(new { role = "organiser" }));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task BootstrapAdminSecret_OnMembershipEndpoints_IsNotAKey()
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(HttpMethod.Get, union.Base + "/branches", ApiTestApp.AdminSecret);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task CreateKey_UnknownRole_Answers400NamingRole()
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(HttpMethod.Post, union.Base + "/keys", union.AdminKey, ApiTestApp.Json(new { role = "root" }));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ApiTestApp.ReadJsonAsync(response)).GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("role");
    }

    [Fact]
    public async Task RotateKey_OldKeyStopsWorkingNewKeyHasTheSameRole()
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/keys/{union.AdminKeyId}/rotate", union.AdminKey);

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var rotated = await ApiTestApp.ReadJsonAsync(response);
        rotated.GetProperty("replaces").GetString().Should().Be(union.AdminKeyId);
        rotated.GetProperty("role").GetString().Should().Be("union-admin");
        using var oldKey = await app.SendAsync(HttpMethod.Get, union.Base + "/branches", union.AdminKey);
        oldKey.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var newKey = await app.SendAsync(HttpMethod.Get, union.Base + "/branches", rotated.GetProperty("key").GetString());
        newKey.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RevokeKey_UnknownKeyId_Answers404()
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(HttpMethod.Delete, $"{union.Base}/keys/0123456789abcdef", union.AdminKey);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private async Task SeedContactAsync(TestUnion union) =>
        await app.Membership.UpsertContactAsync(new ContactEntry(new Contact
        {
            UnionId = UnionId.Parse(union.UnionId),
            BranchId = BranchId.Parse(union.Branch),
            ContactId = ContactId.Parse("c1"),
            Name = "Jane Doe",
            Phone = PhoneNumber.Parse("+447700900123"),
            Language = LanguageTag.English,
            TimeZone = TimeZoneId.Parse("Europe/London"),
        }));

    private async Task<HttpResponseMessage> SendAsync(string endpoint, TestUnion union, string? key)
    {
        var contacts = $"{union.Base}/branches/{union.Branch}/contacts";
        return endpoint switch
        {
            "create-key" => await app.SendAsync(HttpMethod.Post, union.Base + "/keys", key, ApiTestApp.Json(new { role = "organiser" })),
            "rotate-key" => await app.SendAsync(HttpMethod.Post, $"{union.Base}/keys/{union.AdminKeyId}/rotate", key),
            "revoke-key" => await app.SendAsync(HttpMethod.Delete, $"{union.Base}/keys/{union.AdminKeyId}", key),
            "list-branches" => await app.SendAsync(HttpMethod.Get, union.Base + "/branches", key),
            "create-branch" => await app.SendAsync(HttpMethod.Post, union.Base + "/branches", key, ApiTestApp.Json(new { branchId = "north", name = "North" })),
            "get-branch" => await app.SendAsync(HttpMethod.Get, $"{union.Base}/branches/{union.Branch}", key),
            "delete-branch" => await DeleteEmptyBranchAsync(union, key),
            "list-contacts" => await app.SendAsync(HttpMethod.Get, contacts, key),
            "create-contact" => await app.SendAsync(HttpMethod.Post, contacts, key, ApiTestApp.Json(ApiTestApp.ContactBody("c2", "+447700900124"))),
            "get-contact" => await app.SendAsync(HttpMethod.Get, contacts + "/c1", key),
            "update-contact" => await app.SendAsync(HttpMethod.Put, contacts + "/c1", key, ApiTestApp.Json(ApiTestApp.ContactBody("c1") )),
            "delete-contact" => await app.SendAsync(HttpMethod.Delete, contacts + "/c1", key),
            "import-contacts" => await app.SendAsync(HttpMethod.Post, contacts + ":import", key, ApiTestApp.Csv(
                "contactId,name,phone,email,language,timeZone,smsConsent,emailConsent\nc9,Ann,+447700900999,,en,Europe/London,true,false\n")),
            "list-keys" => await app.SendAsync(HttpMethod.Get, union.Base + "/keys", key),
            "read-audit" => await app.SendAsync(HttpMethod.Get, union.Base + "/audit?limit=10", key),
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, null),
        };
    }

    private async Task<HttpResponseMessage> DeleteEmptyBranchAsync(TestUnion union, string? key)
    {
        if (union.UnionId != "no-such-union")
        {
            await app.Membership.UpsertBranchAsync(new Branch(UnionId.Parse(union.UnionId), BranchId.Parse("empty"), "Empty"));
        }

        return await app.SendAsync(HttpMethod.Delete, $"{union.Base}/branches/empty", key);
    }
}

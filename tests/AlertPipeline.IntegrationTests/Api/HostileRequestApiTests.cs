using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.IntegrationTests.Api;

/// <summary>
/// The requests of the hostile probe (issue 16) that answered 500 or were wrongly accepted, each sent as it was: paging
/// tokens the API never issued, rotations of revoked keys and races between rotations, and bodies the one JSON reader
/// must refuse (or tolerate) alike on every endpoint.
/// </summary>
public sealed class HostileRequestApiTests(ApiTestApp app) : IClassFixture<ApiTestApp>
{
    public static TheoryData<string> ForeignTokens => new() { "garbage", new string('A', 8000), "eyJhIjoxfQ", "Zm9v.YmFy", "AA.AA", "Cg.DQ", "." };

    [Theory]
    [MemberData(nameof(ForeignTokens))]
    public async Task ListContacts_ContinuationTokenTheApiDidNotIssue_Answers400NamingIt(string token)
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(
            HttpMethod.Get, $"{union.Base}/branches/{union.Branch}/contacts?continuationToken={Uri.EscapeDataString(token)}", union.AdminKey);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await ApiTestApp.ReadJsonAsync(response);
        problem.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("continuationToken");
        problem.GetProperty("detail").GetString().Should().Contain("not a token this API issued").And.NotContain(token.Length > 20 ? token[..20] : "\u0000");
    }

    [Fact]
    public async Task RotateKey_RevokedKey_Answers409AndCreatesNoKey()
    {
        var union = await app.NewUnionAsync();
        var organiser = (await app.Keys.FindBySecretAsync(union.OrganiserKey))!;
        using (var revoke = await app.SendAsync(HttpMethod.Delete, $"{union.Base}/keys/{organiser.KeyId}", union.AdminKey))
        {
            revoke.StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/keys/{organiser.KeyId}/rotate", union.AdminKey);

        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await response.Content.ReadAsStringAsync()).Should().Contain("revoked").And.NotContain("apk_");
        var keys = await app.Keys.ListAsync(UnionId.Parse(union.UnionId));
        keys.Should().HaveCount(2, "no new key was made");
        keys.Single(k => k.KeyId == organiser.KeyId).ReplacedBy.Should().BeNull();
    }

    [Fact]
    public async Task RotateKey_RotatedKeyRotatedAgain_Answers409AndTheFirstReplacementStands()
    {
        var union = await app.NewUnionAsync();
        var organiser = (await app.Keys.FindBySecretAsync(union.OrganiserKey))!;
        using var first = await app.SendAsync(HttpMethod.Post, $"{union.Base}/keys/{organiser.KeyId}/rotate", union.AdminKey);

        using var again = await app.SendAsync(HttpMethod.Post, $"{union.Base}/keys/{organiser.KeyId}/rotate", union.AdminKey);

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var replacement = (await ApiTestApp.ReadJsonAsync(first)).GetProperty("keyId").GetString();
        (await app.Keys.GetAsync(UnionId.Parse(union.UnionId), organiser.KeyId))!.ReplacedBy.Should().Be(replacement);
        (await app.Keys.ListAsync(UnionId.Parse(union.UnionId))).Should().HaveCount(3);
    }

    [Fact]
    public async Task RotateKey_TwentyConcurrentRotationsOfOneKey_MakeExactlyOneNewWorkingKey()
    {
        var union = await app.NewUnionAsync();
        var organiser = (await app.Keys.FindBySecretAsync(union.OrganiserKey))!;

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            app.SendAsync(HttpMethod.Post, $"{union.Base}/keys/{organiser.KeyId}/rotate", union.AdminKey)));

        try
        {
            responses.Select(r => r.StatusCode).Should().ContainSingle(s => s == HttpStatusCode.Created);
            responses.Where(r => r.StatusCode != HttpStatusCode.Created).Should().OnlyContain(r => r.StatusCode == HttpStatusCode.Conflict);
            var created = await ApiTestApp.ReadJsonAsync(responses.Single(r => r.StatusCode == HttpStatusCode.Created));
            var keys = await app.Keys.ListAsync(UnionId.Parse(union.UnionId));
            keys.Select(k => k.KeyId).Should().BeEquivalentTo([union.AdminKeyId, organiser.KeyId, created.GetProperty("keyId").GetString()]);
            keys.Single(k => k.KeyId == organiser.KeyId).ReplacedBy.Should().Be(created.GetProperty("keyId").GetString());
            (await app.Keys.FindBySecretAsync(created.GetProperty("key").GetString()!))!.IsRevoked.Should().BeFalse("the one new key works");
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task RevokeAndRotate_Concurrently_LeaveAtMostOneNewKeyAndItIsRecordedAsTheReplacement()
    {
        var union = await app.NewUnionAsync();
        var organiser = (await app.Keys.FindBySecretAsync(union.OrganiserKey))!;

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => app.SendAsync(
            i % 2 == 0 ? HttpMethod.Post : HttpMethod.Delete,
            i % 2 == 0 ? $"{union.Base}/keys/{organiser.KeyId}/rotate" : $"{union.Base}/keys/{organiser.KeyId}",
            union.AdminKey)));

        var created = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        created.Should().HaveCountLessThanOrEqualTo(1);
        var keys = await app.Keys.ListAsync(UnionId.Parse(union.UnionId));
        var old = keys.Single(k => k.KeyId == organiser.KeyId);
        old.IsRevoked.Should().BeTrue();
        keys.Should().HaveCount(2 + created.Count);
        old.ReplacedBy.Should().Be(created.Count == 1 ? (await ApiTestApp.ReadJsonAsync(created[0])).GetProperty("keyId").GetString() : null);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task CreateBranch_DuplicateJsonProperty_Answers400NamingIt()
    {
        var union = await app.NewUnionAsync();

        using var response = await PostRawAsync(union, "/branches", """{"branchId":"north","name":"North","branchId":"south"}""");

        await ExpectProblemAsync(response, HttpStatusCode.BadRequest, "branchId", "duplicate property");
        (await app.Membership.GetBranchesAsync(UnionId.Parse(union.UnionId))).Should().ContainSingle("nothing was created");
    }

    [Fact]
    public async Task CreateContact_DuplicateJsonProperty_Answers400AndNeverEchoesTheNumbers()
    {
        var union = await app.NewUnionAsync();

        using var response = await PostRawAsync(
            union, $"/branches/{union.Branch}/contacts",
            """{"contactId":"c1","name":"Jane","phone":"+447700900123","phone":"+447700900999","language":"en","timeZone":"Europe/London","smsConsent":true}""");

        await ExpectProblemAsync(response, HttpStatusCode.BadRequest, "phone", "duplicate property");
        (await response.Content.ReadAsStringAsync()).Should().NotContain("7700900");
    }

    [Fact]
    public async Task CreateBranch_EmptyBody_Answers400BodyIsRequired()
    {
        var union = await app.NewUnionAsync();

        using var noContentType = await app.SendAsync(HttpMethod.Post, union.Base + "/branches", union.AdminKey);
        using var json = await PostRawAsync(union, "/branches", string.Empty);

        await ExpectProblemAsync(noContentType, HttpStatusCode.BadRequest, "body", "is required");
        await ExpectProblemAsync(json, HttpStatusCode.BadRequest, "body", "is required");
    }

    [Fact]
    public async Task CreateBranch_Utf8ByteOrderMark_IsTolerated()
    {
        var union = await app.NewUnionAsync();

        using var response = await PostRawAsync(union, "/branches", "\uFEFF{\"branchId\":\"north\",\"name\":\"Север\"}");

        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        (await app.Membership.GetBranchAsync(UnionId.Parse(union.UnionId), BranchId.Parse("north")))!.Name.Should().Be("Север");
    }

    [Theory]
    [InlineData("iso-8859-1")]
    [InlineData("utf-16")]
    public async Task CreateBranch_CharsetOtherThanUtf8_Answers415NamingIt(string charset)
    {
        var union = await app.NewUnionAsync();
        using var content = new ByteArrayContent(Encoding.Latin1.GetBytes("""{"branchId":"north","name":"Nord"}"""));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"application/json; charset={charset}");

        using var response = await app.SendAsync(HttpMethod.Post, union.Base + "/branches", union.AdminKey, content);

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await ApiTestApp.ReadJsonAsync(response)).GetProperty("detail").GetString().Should().Contain($"'{charset}'").And.Contain("UTF-8");
    }

    [Fact]
    public async Task CreateKey_RoleAsANumber_Answers400NamingTheField()
    {
        var union = await app.NewUnionAsync();

        using var response = await PostRawAsync(union, "/keys", """{"role":1}""");

        await ExpectProblemAsync(response, HttpStatusCode.BadRequest, "role", "must be a string, not a number");
    }

    private async Task<HttpResponseMessage> PostRawAsync(TestUnion union, string path, string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await app.SendAsync(HttpMethod.Post, union.Base + path, union.AdminKey, content);
    }

    internal static async Task ExpectProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field, string message)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("errors")[0];
        error.GetProperty("field").GetString().Should().Be(field);
        error.GetProperty("message").GetString().Should().Contain(message);
    }
}

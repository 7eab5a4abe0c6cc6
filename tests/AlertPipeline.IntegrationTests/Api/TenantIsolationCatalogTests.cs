using System.Net;
using System.Text;
using AlertPipeline.Core.Contacts;
using AlertPipeline.IntegrationTests.Functions;

namespace AlertPipeline.IntegrationTests.Api;

/// <summary>
/// Tenancy over the whole catalog: every operation under <c>/api/unions/{union}</c>, found in the built app's functions.metadata
/// (so a new endpoint is covered the day it is added), called with another union's keys of both roles, answers the same
/// 404 as for a union that does not exist, and leaves no trace in the victim's audit.
/// </summary>
public sealed class TenantIsolationCatalogTests(ApiTestApp app) : IClassFixture<ApiTestApp>
{
    public static TheoryData<string, string> UnionOperations()
    {
        var data = new TheoryData<string, string>();
        foreach (var function in BuiltFunctionApp.HttpFunctions.Where(f => f.Route!.StartsWith("unions/{union}", StringComparison.Ordinal)))
        {
            foreach (var method in function.Methods)
            {
                data.Add(function.Route!, method);
            }
        }

        return data;
    }

    [Fact]
    public void Catalog_HasUnionOperationsOfEveryKind() =>
        UnionOperations().Select(row => (string)row[0]).Should().Contain(
            ["unions/{union}/branches", "unions/{union}/campaigns/{campaign}/schedules", "unions/{union}/alerts/{alertId}/report", "unions/{union}/audit",
             "unions/{union}/campaigns/{campaign}/members/{member}", "unions/{union}/campaigns/{campaign}/membership", "unions/{union}/campaigns/{campaign}/open"]);

    [Theory]
    [MemberData(nameof(UnionOperations))]
    public async Task Operation_AnotherUnionsKeys_Answer404LikeAMissingUnionAndLeaveNoTrace(string route, string method)
    {
        var victim = await app.NewUnionAsync();
        var attacker = await app.NewUnionAsync();

        foreach (var key in new[] { attacker.AdminKey, attacker.OrganiserKey })
        {
            using var response = await SendAsync(route, method, victim.UnionId, key);
            using var missing = await SendAsync(route, method, "no-such-union", key);

            response.StatusCode.Should().Be(HttpStatusCode.NotFound, $"{method} {route} with another union's key");
            var body = await response.Content.ReadAsStringAsync();
            body.Should().Be(await missing.Content.ReadAsStringAsync(), "another union's data must look exactly like data that does not exist");
            body.Should().NotContain(victim.UnionId);
        }

        (await app.Audit.ReadRecentAsync(UnionId.Parse(victim.UnionId))).Should().BeEmpty("nothing reached the victim's union");
    }

    private Task<HttpResponseMessage> SendAsync(string route, string method, string union, string key)
    {
        // Route values other than the union are plausible ids; the union is refused before any of them is looked at.
        var path = "/api/" + route.Replace("{union}", union, StringComparison.Ordinal)
            .Replace("{branch}", "central", StringComparison.Ordinal)
            .Replace("{contact}", "c1", StringComparison.Ordinal)
            .Replace("{campaign}", "justice-kz-oil-workers", StringComparison.Ordinal)
            .Replace("{schedule}", "zhanaozen", StringComparison.Ordinal)
            .Replace("{member}", "uk-energy-workers", StringComparison.Ordinal)
            .Replace("{keyId}", "0123456789abcdef", StringComparison.Ordinal)
            .Replace("{alertId}", "0123456789abcdef0123456789abcdef", StringComparison.Ordinal)
            .Replace("{jobId}", "5b0c9d0e6f2a4b8c9d0e1f2a3b4c5d6e", StringComparison.Ordinal);
        path.Should().NotContain("{", "every route parameter needs a value in this test");
        var content = method is "GET" or "DELETE" ? null : new StringContent("{}", Encoding.UTF8, "application/json");
        return app.SendAsync(new HttpMethod(method), path, key, content);
    }
}

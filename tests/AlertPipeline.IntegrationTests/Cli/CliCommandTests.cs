using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlertPipeline.Cli;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.IntegrationTests.Api;

namespace AlertPipeline.IntegrationTests.Cli;

/// <summary>The CLI run in-process against the real function app on Azurite (and, for <c>admin</c>, its storage).</summary>
public sealed partial class CliCommandTests(ApiTestApp app) : IClassFixture<ApiTestApp>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cli-it-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task AdminKeysCreate_OnStorage_PrintsOnceAKeyThatWorksOnTheApi()
    {
        var unionId = UnionId.Parse(Testing.AzuriteFixture.UniqueName("u"));
        await app.Membership.UpsertUnionAsync(new Union(unionId, "Fresh union"));

        var created = await AdminAsync("keys", "create", "--union", unionId.Value, "--role", "union-admin");

        created.ExitCode.Should().Be(ExitCodes.Success, created.ToString());
        var key = KeyIn(created.Out);
        created.Out.Should().Contain("cannot be shown again");
        var record = await app.Keys.FindBySecretAsync(key);
        record!.UnionId.Should().Be(unionId);
        record.Role.Should().Be(ApiRole.UnionAdmin);
        created.Out.Should().Contain(record.KeyId);
        var branches = await ApiAsync(unionId.Value, key, "branches", "list");
        branches.ExitCode.Should().Be(ExitCodes.Success, branches.ToString());
        branches.Out.Should().Contain("no branches yet");
    }

    [Fact]
    public async Task AdminKeysCreate_UnknownUnion_ExitsNotFoundAndCreatesNothing()
    {
        var union = Testing.AzuriteFixture.UniqueName("u");

        var result = await AdminAsync("keys", "create", "--union", union, "--role", "organiser");

        result.ExitCode.Should().Be(ExitCodes.NotFound);
        result.Error.Should().Contain($"Union '{union}' does not exist");
        (await app.Keys.ListAsync(UnionId.Parse(union))).Should().BeEmpty();
    }

    [Fact]
    public async Task AdminKeysRotate_RevokesTheOldKeyAndTheNewOneWorks()
    {
        var union = await app.NewUnionAsync();

        var rotated = await AdminAsync("keys", "rotate", "--union", union.UnionId, "--key-id", union.AdminKeyId);

        rotated.ExitCode.Should().Be(ExitCodes.Success, rotated.ToString());
        rotated.Out.Should().Contain($"key {union.AdminKeyId} is revoked");
        var newKey = KeyIn(rotated.Out);
        var old = await ApiAsync(union.UnionId, union.AdminKey, "branches", "list");
        old.ExitCode.Should().Be(ExitCodes.AccessDenied);
        old.Error.Should().Contain("401 Unauthorized").And.Contain("unknown or revoked");
        (await ApiAsync(union.UnionId, newKey, "branches", "list")).ExitCode.Should().Be(ExitCodes.Success);
        var oldRecord = await app.Keys.GetAsync(UnionId.Parse(union.UnionId), union.AdminKeyId);
        oldRecord!.ReplacedBy.Should().Be(ApiKeyService.Hash(newKey)[..16]);
    }

    [Fact]
    public async Task AdminKeysRotate_RevokedKey_FailsAndCreatesNoKey()
    {
        var union = await app.NewUnionAsync();
        (await AdminAsync("keys", "revoke", "--union", union.UnionId, "--key-id", union.AdminKeyId)).ExitCode.Should().Be(ExitCodes.Success);

        var rotated = await AdminAsync("keys", "rotate", "--union", union.UnionId, "--key-id", union.AdminKeyId);

        rotated.ExitCode.Should().Be(ExitCodes.Failed, rotated.ToString());
        rotated.Error.Should().Contain($"Key '{union.AdminKeyId}'").And.Contain("is revoked");
        rotated.Out.Should().NotContain("apk_");
        (await app.Keys.ListAsync(UnionId.Parse(union.UnionId))).Should().HaveCount(2);
    }

    [Fact]
    public async Task AdminKeysRevokeAndList_ShowTheRevokedKey()
    {
        var union = await app.NewUnionAsync();

        var revoked = await AdminAsync("keys", "revoke", "--union", union.UnionId, "--key-id", union.AdminKeyId);
        var listed = await AdminAsync("keys", "list", "--union", union.UnionId, "--json");

        revoked.ExitCode.Should().Be(ExitCodes.Success, revoked.ToString());
        listed.ExitCode.Should().Be(ExitCodes.Success, listed.ToString());
        var items = JsonDocument.Parse(listed.Out).RootElement.GetProperty("items").EnumerateArray().ToList();
        items.Should().HaveCount(2);
        items.Single(i => i.GetProperty("keyId").GetString() == union.AdminKeyId).GetProperty("revokedAt").ValueKind.Should().Be(JsonValueKind.String);
        listed.Out.Should().NotContain(union.AdminKey).And.NotContain(union.OrganiserKey);
        (await ApiAsync(union.UnionId, union.AdminKey, "keys", "list")).ExitCode.Should().Be(ExitCodes.AccessDenied);
    }

    [Fact]
    public async Task AdminKeys_WithoutConnection_NamesTheOptionAndVariable()
    {
        var result = await CliHarness.RunAsync(app, environment: null, "admin", "keys", "list", "--union", "u1");

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Contain("--connection").And.Contain("AzureWebJobsStorage");
    }

    [Fact]
    public async Task AdminKeys_ConnectionFromTheEnvironment_Works()
    {
        var union = await app.NewUnionAsync();
        var environment = new Dictionary<string, string> { ["AzureWebJobsStorage"] = app.ConnectionString };

        var result = await CliHarness.RunAsync(app, environment, "admin", "keys", "list", "--union", union.UnionId, "--table-prefix", app.TablePrefix);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Out.Should().Contain(union.AdminKeyId).And.Contain("union-admin").And.Contain("organiser");
    }

    [Fact]
    public async Task KeysList_OverTheApi_ShowsARowPerKey()
    {
        var union = await app.NewUnionAsync();
        var organiserId = ApiKeyService.Hash(union.OrganiserKey)[..16];

        var result = await ApiAsync(union.UnionId, union.AdminKey, "keys", "list");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Out.Should().Contain(union.AdminKeyId).And.Contain(organiserId).And.Contain("union-admin").And.Contain("organiser");
        result.Out.Should().NotContain(union.AdminKey).And.NotContain(union.OrganiserKey);
    }

    [Fact]
    public async Task KeysCreateAndRevoke_OverTheApi_Work()
    {
        var union = await app.NewUnionAsync();

        var created = await ApiAsync(union.UnionId, union.AdminKey, "keys", "create", "--role", "organiser");
        created.ExitCode.Should().Be(ExitCodes.Success, created.ToString());
        var key = KeyIn(created.Out);
        var keyId = ApiKeyService.Hash(key)[..16];
        var revoked = await ApiAsync(union.UnionId, union.AdminKey, "keys", "revoke", "--key-id", keyId);

        revoked.ExitCode.Should().Be(ExitCodes.Success, revoked.ToString());
        (await app.Keys.FindBySecretAsync(key))!.IsRevoked.Should().BeTrue();
    }

    [Fact]
    public async Task BranchesAddThenAudit_ShowsTheWriteNewestFirst()
    {
        var union = await app.NewUnionAsync();
        (await ApiAsync(union.UnionId, union.AdminKey, "branches", "add", "north", "--name", "North")).ExitCode.Should().Be(ExitCodes.Success);
        var conflict = await ApiAsync(union.UnionId, union.AdminKey, "branches", "add", "north", "--name", "North again");

        var audit = await ApiAsync(union.UnionId, union.AdminKey, "audit", "--limit", "10");
        var json = await ApiAsync(union.UnionId, union.AdminKey, "audit", "--limit", "1", "--json");

        conflict.ExitCode.Should().Be(ExitCodes.Failed);
        conflict.Error.Should().Contain("409 Conflict").And.Contain("already exists");
        audit.ExitCode.Should().Be(ExitCodes.Success, audit.ToString());
        audit.Out.Should().Contain("/api/unions/{union}/branches").And.Contain("POST").And.Contain("Succeeded").And.Contain("Refused").And.Contain(union.AdminKeyId);
        audit.Out.IndexOf("Refused", StringComparison.Ordinal).Should().BeLessThan(audit.Out.IndexOf("Succeeded", StringComparison.Ordinal), "newest first");
        var page = JsonDocument.Parse(json.Out).RootElement;
        page.GetProperty("items").GetArrayLength().Should().Be(1);
        page.GetProperty("items")[0].GetProperty("status").GetInt32().Should().Be(409);
        var token = page.GetProperty("continuationToken").GetString();
        token.Should().NotBeNullOrEmpty();
        var next = await ApiAsync(union.UnionId, union.AdminKey, "audit", "--limit", "5", "--continuation-token", token!, "--json");
        JsonDocument.Parse(next.Out).RootElement.GetProperty("items")[0].GetProperty("status").GetInt32().Should().Be(201);
    }

    [Fact]
    public async Task ContactsImport_WithBadLines_PrintsTheReportAndExitsNonZero()
    {
        var union = await app.NewUnionAsync();
        var csv = Path.Combine(_folder, "members.csv");
        await File.WriteAllTextAsync(csv, """
            contactId,name,phone,email,language,timeZone,smsConsent,emailConsent
            a1,Ann,+447700900001,ann@example.org,en,Europe/London,true,true
            a2,Bob,+4477,,en,Europe/London,true,false
            a3,Cat,+447700900003,,kk,Europe/Londn,yes,no
            a4,Dan,+447700900004,,en,Europe/London,no,no

            """);

        var result = await ApiAsync(union.UnionId, union.AdminKey, "contacts", "import", csv, "--branch", union.Branch);

        result.ExitCode.Should().Be(ExitCodes.LinesRejected, result.ToString());
        result.Out.Should().Contain("Uploading members.csv").And.Contain("Imported 2 line(s); rejected 2");
        ReportRow().IsMatch(result.Out).Should().BeTrue(result.Out);
        result.Out.Should().Contain("timeZone").And.Contain("Europe/Londn");
        result.Out.Should().NotContain("+447700900001", "the report never quotes a number");
        var unionId = UnionId.Parse(union.UnionId);
        (await app.Membership.GetContactAsync(unionId, BranchId.Parse(union.Branch), ContactId.Parse("a1"))).Should().NotBeNull();
        (await app.Membership.GetContactAsync(unionId, BranchId.Parse(union.Branch), ContactId.Parse("a4"))).Should().NotBeNull();
        (await app.Membership.GetContactAsync(unionId, BranchId.Parse(union.Branch), ContactId.Parse("a2"))).Should().BeNull();

        var listed = await ApiAsync(union.UnionId, union.AdminKey, "contacts", "list", "--branch", union.Branch);
        listed.ExitCode.Should().Be(ExitCodes.Success, listed.ToString());
        listed.Out.Should().Contain("a1").And.Contain("a4").And.Contain("2 contact(s)");
        listed.Out.Should().NotContain("+447700900001").And.NotContain("ann@example.org", "tables mask numbers and addresses");
    }

    [Fact]
    public async Task ContactsImport_AllGood_ExitsZero()
    {
        var union = await app.NewUnionAsync();
        var csv = Path.Combine(_folder, "good.csv");
        await File.WriteAllTextAsync(csv, "contactId,name,phone,email,language,timeZone,smsConsent,emailConsent\nb1,Ann,+447700900011,,en,Europe/London,true,false\n");

        var result = await ApiAsync(union.UnionId, union.AdminKey, "contacts", "import", csv, "--branch", union.Branch, "--json");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var report = JsonDocument.Parse(result.Out).RootElement;
        report.GetProperty("imported").GetInt32().Should().Be(1);
        report.GetProperty("rejected").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task ContactsImport_BadHeader_ShowsTheProblemField()
    {
        var union = await app.NewUnionAsync();
        var csv = Path.Combine(_folder, "bad.csv");
        await File.WriteAllTextAsync(csv, "id,name\nx,y\n");

        var result = await ApiAsync(union.UnionId, union.AdminKey, "contacts", "import", csv, "--branch", union.Branch);

        result.ExitCode.Should().Be(ExitCodes.Failed);
        result.Error.Should().Contain("400 Invalid request").And.Contain("header:");
    }

    [Fact]
    public async Task AnotherUnionsKey_ExitsNotFound()
    {
        var victim = await app.NewUnionAsync();
        var other = await app.NewUnionAsync();

        var result = await ApiAsync(victim.UnionId, other.AdminKey, "keys", "list");

        result.ExitCode.Should().Be(ExitCodes.NotFound);
        result.Error.Should().Contain("404 Not Found").And.NotContain(victim.AdminKeyId);
    }

    [Fact]
    public async Task OrganiserKey_OnAUnionAdminCommand_ExitsAccessDenied()
    {
        var union = await app.NewUnionAsync();

        var result = await ApiAsync(union.UnionId, union.OrganiserKey, "audit");

        result.ExitCode.Should().Be(ExitCodes.AccessDenied);
        result.Error.Should().Contain("403 Forbidden");
    }

    private Task<CliResult> AdminAsync(params string[] args) =>
        CliHarness.RunAsync(app, environment: null, ["admin", .. args, "--connection", app.ConnectionString, "--table-prefix", app.TablePrefix]);

    private Task<CliResult> ApiAsync(string union, string key, params string[] args) =>
        CliHarness.RunAsync(app, environment: null, [.. args, "--api-url", "http://localhost", "--key", key, "--union", union]);

    private static string KeyIn(string output)
    {
        var match = KeyLine().Match(output);
        match.Success.Should().BeTrue(output);
        return match.Groups[1].Value;
    }

    [GeneratedRegex(@"^key: (apk_[A-Za-z0-9_-]+)\r?$", RegexOptions.Multiline)]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"│\s*3\s*│\s*phone\s*│")]
    private static partial Regex ReportRow();
}

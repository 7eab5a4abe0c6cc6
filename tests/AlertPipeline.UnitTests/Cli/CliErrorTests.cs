using System.Net;
using AlertPipeline.Cli;
using AlertPipeline.Cli.Api;

namespace AlertPipeline.UnitTests.Cli;

/// <summary>How the CLI reports refusals, network failures and bad command lines, and where it finds its settings.</summary>
public sealed class CliErrorTests
{
    [Fact]
    public async Task ProblemAnswer_ShowsTitleAndEachNamedField_ExitsFailed()
    {
        var handler = new RecordingHandler(_ => OrganiserCommandTests.Problem(
            HttpStatusCode.BadRequest, "Invalid request", "branchId: bad; name: is required",
            """[{"field":"branchId","message":"must be a lowercase slug"},{"field":"name","message":"is required"}]"""));

        var result = await CliRunner.RunAsync(handler, "branches", "add", "Bad_Id", "--name", " ");

        result.ExitCode.Should().Be(ExitCodes.Failed);
        result.Error.Should().Contain("400 Invalid request")
            .And.Contain("branchId: must be a lowercase slug")
            .And.Contain("name: is required");
        result.Out.Should().BeEmpty();
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, ExitCodes.AccessDenied, "ALERTPIPELINE_API_KEY")]
    [InlineData(HttpStatusCode.Forbidden, ExitCodes.AccessDenied, "role")]
    [InlineData(HttpStatusCode.NotFound, ExitCodes.NotFound, "--union")]
    [InlineData(HttpStatusCode.Conflict, ExitCodes.Failed, "409 Conflict")]
    [InlineData(HttpStatusCode.InternalServerError, ExitCodes.Failed, "500")]
    public async Task RefusedRequest_HasAClearMessageAndExitCode(HttpStatusCode status, int exitCode, string expected)
    {
        var handler = new RecordingHandler(_ => OrganiserCommandTests.Problem(status, status.ToString(), "No such resource."));

        var result = await CliRunner.RunAsync(handler, "branches", "list");

        result.ExitCode.Should().Be(exitCode);
        result.Error.Should().Contain(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain(expected);
        result.Error.Should().NotContain(CliRunner.Key);
    }

    [Fact]
    public async Task NonProblemErrorBody_StillShowsTheStatus()
    {
        var handler = new RecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent("<html>proxy</html>") });

        var result = await CliRunner.RunAsync(handler, "keys", "list");

        result.ExitCode.Should().Be(ExitCodes.Failed);
        result.Error.Should().Contain("502 Bad Gateway");
    }

    [Fact]
    public async Task NetworkFailure_SaysTheApiCannotBeReached_ExitsUnreachable()
    {
        var handler = new RecordingHandler { Failure = new HttpRequestException("Connection refused (alerts.example.org:443)") };

        var result = await CliRunner.RunAsync(handler, "audit");

        result.ExitCode.Should().Be(ExitCodes.Unreachable);
        result.Error.Should().Contain("Could not reach the API at https://alerts.example.org/api/").And.Contain("Connection refused");
    }

    [Theory]
    [InlineData(new[] { "contacts", "import", "members.csv", "--union", "u1" }, "--branch")]
    [InlineData(new[] { "audit", "--limit", "0", "--union", "u1" }, "--limit")]
    [InlineData(new[] { "audit", "--limit", "many", "--union", "u1" }, "--limit")]
    [InlineData(new[] { "keys", "create", "--role", "root", "--union", "u1" }, "--role")]
    [InlineData(new[] { "keys", "rotate", "--key-id", "ZZ", "--union", "u1" }, "--key-id")]
    [InlineData(new[] { "branches", "add", "north", "--union", "u1" }, "--name")]
    [InlineData(new[] { "admin", "keys", "create", "--union", "u1" }, "--role")]
    [InlineData(new[] { "schedules", "list", "--union", "u1" }, "--campaign")]
    public async Task ArgumentError_NamesTheOption_ExitsUsage(string[] args, string option)
    {
        var handler = new RecordingHandler();

        var result = await CliRunner.RunAsync(handler, environment: null, args);

        result.ExitCode.Should().Be(ExitCodes.Usage, result.ToString());
        result.Error.Should().Contain(option);
        handler.Requests.Should().BeEmpty();
    }

    [Theory]
    [InlineData("--union", "ALERTPIPELINE_UNION")]
    [InlineData("--api-url", "ALERTPIPELINE_API_URL")]
    [InlineData("--key", "ALERTPIPELINE_API_KEY")]
    public async Task MissingSetting_NamesTheOptionAndItsVariable(string option, string variable)
    {
        var settings = new Dictionary<string, string>
        {
            ["--union"] = "u1", ["--api-url"] = "https://alerts.example.org", ["--key"] = CliRunner.Key,
        };
        settings.Remove(option);
        var handler = new RecordingHandler();

        var result = await CliRunner.RunAsync(handler, environment: null, ["branches", "list", .. settings.SelectMany(s => new[] { s.Key, s.Value })]);

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Contain(option).And.Contain(variable);
        handler.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Settings_ComeFromTheEnvironmentWhenNotGiven()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, """{"items":[]}"""));
        var environment = new Dictionary<string, string>
        {
            ["ALERTPIPELINE_API_URL"] = "http://localhost:7071",
            ["ALERTPIPELINE_API_KEY"] = "apk_from-the-environment",
            ["ALERTPIPELINE_UNION"] = "from-env",
        };

        var result = await CliRunner.RunAsync(handler, environment, "branches", "list");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var request = handler.Requests.Should().ContainSingle().Subject;
        request.Uri.ToString().Should().Be("http://localhost:7071/api/unions/from-env/branches");
        request.Authorization.Should().Be("ApiKey apk_from-the-environment");
        result.Out.Should().NotContain("apk_from-the-environment");
    }

    [Fact]
    public async Task InvalidUnion_IsRefusedBeforeAnyRequest()
    {
        var handler = new RecordingHandler();

        var result = await CliRunner.RunAsync(handler, environment: null, "branches", "list", "--union", "Not A Slug", "--api-url", "https://a.example.org", "--key", "k");

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Contain("--union");
        handler.Requests.Should().BeEmpty();
    }

    [Theory]
    [InlineData("https://alerts.example.org", "https://alerts.example.org/api/")]
    [InlineData("https://alerts.example.org/", "https://alerts.example.org/api/")]
    [InlineData("https://alerts.example.org/api", "https://alerts.example.org/api/")]
    [InlineData("http://localhost:7071/fn/api/", "http://localhost:7071/fn/api/")]
    public void ApiBase_AddsApiOnce(string url, string expected) =>
        ApiClient.ApiBase(new Uri(url)).ToString().Should().Be(expected);

    [Fact]
    public async Task Help_ListsTheCommandsAndExitsZero()
    {
        var result = await CliRunner.RunAsync(new RecordingHandler(), environment: null, "--help");

        result.ExitCode.Should().Be(ExitCodes.Success);
        result.Out.Should().Contain("branches").And.Contain("contacts").And.Contain("schedules").And.Contain("admin");
    }
}

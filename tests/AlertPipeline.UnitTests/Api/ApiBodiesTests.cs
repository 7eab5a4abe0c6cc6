using System.Text;
using AlertPipeline.Functions.Api;
using AlertPipeline.Infrastructure.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlertPipeline.UnitTests.Api;

/// <summary>The one JSON body reader of the organiser API (<see cref="ApiBodies"/>): what every endpoint refuses, and how.</summary>
public sealed class ApiBodiesTests
{
    private const int Limit = 64 * 1024;

    private sealed record Probe(string? Name, int? FirstYear, bool? Notify, IReadOnlyList<string>? Reminders);

    [Fact]
    public async Task ReadJson_DuplicateProperty_Is400NamingIt()
    {
        var (value, problem) = await ReadAsync("""{"name":"a","firstYear":2012,"name":"b"}""");

        value.Should().BeNull();
        Problem(problem).Should().Be((400, "name: duplicate property: it appears more than once in the object"));
    }

    [Fact]
    public async Task ReadJsonBytes_DuplicatePropertyInANestedObject_Is400NamingItsPath()
    {
        var (utf8, problem) = await ApiBodies.ReadJsonBytesAsync(Request("""{"templates":{"en":{"sms":"a","sms":"b"}}}"""), Limit, default);

        utf8.Should().BeNull();
        Problem(problem).Should().Be((400, "templates.en.sms: duplicate property: it appears more than once in the object"));
    }

    [Theory]
    [InlineData("""{"firstYear":"2012"}""", "firstYear: must be a whole number, not a string")]
    [InlineData("""{"notify":"true"}""", "notify: must be true or false, not a string")]
    [InlineData("""{"name":12}""", "name: must be a string, not a number")]
    [InlineData("""{"reminders":"P7D"}""", "reminders: must be an array of strings, not a string")]
    [InlineData("""{"reminders":[7]}""", "reminders[0]: must be a string")]
    public async Task ReadJson_ValueOfTheWrongType_Is400NamingTheFieldAndTheType(string body, string detail)
    {
        var (_, problem) = await ReadAsync(body);

        Problem(problem).Should().Be((400, detail));
    }

    [Fact]
    public async Task ReadJson_UnknownProperty_Is400NamingIt()
    {
        var (_, problem) = await ReadAsync("""{"Name":"a"}""");

        Problem(problem).Status.Should().Be(400);
        Problem(problem).Detail.Should().StartWith("Name: is not a known field (expected name, firstYear, notify, reminders; names are case-sensitive)");
    }

    [Theory]
    [InlineData("""{"+447700900123":"x"}""")]
    [InlineData("""{"jane@example.org":"x"}""")]
    [InlineData("""{"447700900123":1,"447700900123":2}""")]
    public async Task ReadJson_PropertyNamedLikeAPhoneOrEmail_IsRefusedWithoutEchoingIt(string body)
    {
        var (_, problem) = await ReadAsync(body);

        Problem(problem).Status.Should().Be(400);
        Problem(problem).Detail.Should().NotContain("7700900").And.NotContain("example.org").And.Contain("name is not shown");
    }

    [Theory]
    [InlineData("", "application/json")]
    [InlineData("", null)]
    [InlineData("  \r\n ", "application/json")]
    [InlineData("\uFEFF", "application/json")]
    public async Task ReadJson_EmptyBody_Is400BodyIsRequired(string body, string? contentType)
    {
        var (_, problem) = await ReadAsync(body, contentType);

        Problem(problem).Should().Be((400, "body: is required (a JSON object)"));
    }

    [Fact]
    public async Task ReadJson_Utf8ByteOrderMark_IsSkipped()
    {
        var (value, problem) = await ReadAsync("\uFEFF{\"name\":\"Щит\",\"firstYear\":2012}");

        problem.Should().BeNull();
        value.Should().Be(new Probe("Щит", 2012, null, null));
    }

    [Theory]
    [InlineData("application/json; charset=iso-8859-1", "iso-8859-1")]
    [InlineData("application/json; charset=utf-16", "utf-16")]
    [InlineData("application/json;charset=\"windows-1251\"", "windows-1251")]
    public async Task ReadJson_CharsetOtherThanUtf8_Is415NamingIt(string contentType, string charset)
    {
        var (_, problem) = await ReadAsync("""{"name":"a"}""", contentType);

        Problem(problem).Status.Should().Be(415);
        Problem(problem).Detail.Should().Contain($"'{charset}'").And.Contain("UTF-8");
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON; charset=UTF-8")]
    [InlineData("application/json; charset=\"utf-8\"")]
    public async Task ReadJson_JsonInUtf8_IsRead(string contentType)
    {
        var (value, problem) = await ReadAsync("""{"name":"a"}""", contentType);

        problem.Should().BeNull();
        value!.Name.Should().Be("a");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/jsonx")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task ReadJson_NotJson_Is415(string contentType)
    {
        var (_, problem) = await ReadAsync("""{"name":"a"}""", contentType);

        Problem(problem).Status.Should().Be(415);
    }

    [Theory]
    [InlineData("""{"name":""", "body: is not valid JSON (line 1, byte 9)")]
    [InlineData("[1,2]", "body: must be a JSON object, not an array")]
    [InlineData("null", "body: must be a JSON object, not null")]
    public async Task ReadJson_NotAJsonObject_Is400(string body, string detail)
    {
        var (_, problem) = await ReadAsync(body);

        Problem(problem).Should().Be((400, detail));
    }

    [Fact]
    public async Task ReadJson_OverTheLimit_Is413()
    {
        var (_, problem) = await ApiBodies.ReadJsonAsync<Probe>(Request("{\"name\":\"" + new string('a', 2000) + "\"}"), 1024, default);

        Problem(problem).Status.Should().Be(413);
    }

    private static Task<(Probe? Value, IResult? Problem)> ReadAsync(string body, string? contentType = "application/json") =>
        ApiBodies.ReadJsonAsync<Probe>(Request(body, contentType), Limit, default);

    private static DefaultHttpContext Context(string body, string? contentType)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.ContentLength = bytes.Length;
        context.Request.Body = new MemoryStream(bytes);
        return context;
    }

    private static HttpRequest Request(string body, string? contentType = "application/json") => Context(body, contentType).Request;

    private static (int Status, string? Detail) Problem(IResult? result)
    {
        var problem = result.Should().BeOfType<ProblemHttpResult>().Subject;
        return (problem.StatusCode, problem.ProblemDetails.Detail);
    }
}

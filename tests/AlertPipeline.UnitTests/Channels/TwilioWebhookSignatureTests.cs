using AlertPipeline.Infrastructure.Twilio;
using AlertPipeline.Testing;
using Microsoft.Extensions.Primitives;
using Twilio.Security;

namespace AlertPipeline.UnitTests.Channels;

/// <summary>Our webhooks' signature check: the SDK's <see cref="RequestValidator"/> behind <see cref="TwilioWebhookSignature"/>.</summary>
public class TwilioWebhookSignatureTests
{
    // The worked example from twilio-csharp's RequestValidatorTest (reference/twilio.md).
    private const string Token = "12345";
    private const string Url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    private const string UrlWith443 = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
    private const string Signature = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
    private const string SignatureWith443 = "kvajT1Ptam85bY51eRf/AJRuM3w=";

    private static readonly KeyValuePair<string, string>[] Parameters =
    [
        new("To", "+18005551212"),
        new("From", "+14158675309"),
        new("Digits", "1234"),
        new("CallSid", "CA1234567890ABCDE"),
        new("Caller", "+14158675309"),
    ];

    private static bool IsValid(string url, IEnumerable<KeyValuePair<string, string>> parameters, string? signature, string token = Token) =>
        TwilioWebhookSignature.IsValid(new RequestValidator(token), url, parameters.Select(p => new KeyValuePair<string, StringValues>(p.Key, p.Value)), signature);

    [Fact]
    public void FakeTwilioSign_WorkedExample_MatchesTwilio() =>
        FakeTwilioServer.Sign(Token, Url, Parameters).Should().Be(Signature);

    [Fact]
    public void FakeTwilioSign_WorkedExampleWithPort443_MatchesTwilio() =>
        FakeTwilioServer.Sign(Token, UrlWith443, Parameters).Should().Be(SignatureWith443);

    [Theory]
    [InlineData(Url, Signature)]
    [InlineData(UrlWith443, SignatureWith443)]
    [InlineData(Url, SignatureWith443)] // Twilio signed with :443, we see the URL without it
    public void IsValid_WorkedExampleWithOrWithoutDefaultPort_IsTrue(string url, string signature) =>
        IsValid(url, Parameters, signature).Should().BeTrue();

    [Fact]
    public void IsValid_OurUrlNeverCarriesTheDefaultPort_AsTheSdkCannotStripIt()
    {
        // The SDK reads the port through System.Uri, which hides a default port, so given a URL with ":443" it tries
        // only that form. Our webhook URL is built from Uri.AbsoluteUri, which drops ":443"; the SDK then tries both.
        IsValid(UrlWith443, Parameters, Signature).Should().BeFalse();
        new Uri("https://mycompany.com:443/").AbsoluteUri.Should().Be("https://mycompany.com/");
    }

    [Fact]
    public void IsValid_PlainHttpWithPort80_AcceptsEitherForm() =>
        IsValid("http://example.org/hook", Parameters, FakeTwilioServer.Sign(Token, "http://example.org:80/hook", Parameters)).Should().BeTrue();

    [Fact]
    public void IsValid_NonDefaultPort_IsNotSwappedForTheDefault()
    {
        var signedOn8443 = FakeTwilioServer.Sign(Token, "https://example.org:8443/hook", Parameters);

        IsValid("https://example.org/hook", Parameters, signedOn8443).Should().BeFalse();
        IsValid("https://example.org:8443/hook", Parameters, signedOn8443).Should().BeTrue();
    }

    [Fact]
    public void IsValid_WrongToken_IsFalse() => IsValid(Url, Parameters, Signature, token: "54321").Should().BeFalse();

    [Fact]
    public void IsValid_TamperedParameter_IsFalse() =>
        IsValid(Url, Parameters.Select(p => p.Key == "Digits" ? new KeyValuePair<string, string>("Digits", "1235") : p), Signature).Should().BeFalse();

    [Fact]
    public void IsValid_ExtraParameter_IsFalse() =>
        IsValid(Url, [.. Parameters, new("MessageStatus", "delivered")], Signature).Should().BeFalse();

    [Fact]
    public void IsValid_DifferentQueryString_IsFalse() =>
        IsValid("https://mycompany.com/myapp.php?foo=1&bar=3", Parameters, Signature).Should().BeFalse();

    [Fact]
    public void IsValid_DifferentHost_IsFalse() =>
        IsValid("https://evil.example/myapp.php?foo=1&bar=2", Parameters, Signature).Should().BeFalse();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 at all")]
    [InlineData("RSOYDt4T1cUTdK1PDd93/VVr8B8")]
    public void IsValid_MissingOrMalformedSignature_IsFalse(string? signature) =>
        IsValid(Url, Parameters, signature).Should().BeFalse();

    [Fact]
    public void IsValid_NoParameters_SignsTheUrlAlone() =>
        IsValid(Url, [], FakeTwilioServer.Sign(Token, Url, [])).Should().BeTrue();

    [Fact]
    public void IsValid_UnicodeValues_SignedAsUtf8()
    {
        KeyValuePair<string, string>[] form = [new("Body", "СТОП \u202Eplease 🙏"), new("From", "+77011234567")];

        IsValid(Url, form, FakeTwilioServer.Sign(Token, Url, form)).Should().BeTrue();
    }
}

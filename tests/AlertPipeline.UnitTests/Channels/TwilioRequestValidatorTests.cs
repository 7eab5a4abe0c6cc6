using AlertPipeline.Infrastructure.Twilio;
using Microsoft.Extensions.Primitives;

namespace AlertPipeline.UnitTests.Channels;

public class TwilioRequestValidatorTests
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

    private readonly TwilioRequestValidator _validator = new(Token);

    [Fact]
    public void SignedData_WorkedExample_SortsParametersByNameWithoutSeparators() =>
        TwilioRequestValidator.SignedData(Url, Parameters).Should().Be(
            "https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+14158675309Digits1234From+14158675309To+18005551212");

    [Fact]
    public void ComputeSignature_WorkedExample_MatchesTwilio() =>
        TwilioRequestValidator.ComputeSignature(Token, Url, Parameters).Should().Be(Signature);

    [Fact]
    public void ComputeSignature_WorkedExampleWithPort443_MatchesTwilio() =>
        TwilioRequestValidator.ComputeSignature(Token, UrlWith443, Parameters).Should().Be(SignatureWith443);

    [Theory]
    [InlineData(Url, Signature)]
    [InlineData(UrlWith443, SignatureWith443)]
    [InlineData(Url, SignatureWith443)] // Twilio signed with :443, we see the URL without it
    [InlineData(UrlWith443, Signature)] // and the other way round
    public void IsValid_WorkedExampleWithOrWithoutDefaultPort_IsTrue(string url, string signature) =>
        _validator.IsValid(url, Parameters, signature).Should().BeTrue();

    [Fact]
    public void IsValid_PlainHttpWithPort80_AcceptsEitherForm()
    {
        var signedWithPort = TwilioRequestValidator.ComputeSignature(Token, "http://example.org:80/hook", Parameters);

        _validator.IsValid("http://example.org/hook", Parameters, signedWithPort).Should().BeTrue();
    }

    [Fact]
    public void IsValid_NonDefaultPort_IsNotStrippedOrSwapped()
    {
        var signedOn8443 = TwilioRequestValidator.ComputeSignature(Token, "https://example.org:8443/hook", Parameters);

        _validator.IsValid("https://example.org/hook", Parameters, signedOn8443).Should().BeFalse();
        _validator.IsValid("https://example.org:8443/hook", Parameters, signedOn8443).Should().BeTrue();
    }

    [Fact]
    public void IsValid_WrongToken_IsFalse() =>
        new TwilioRequestValidator("54321").IsValid(Url, Parameters, Signature).Should().BeFalse();

    [Fact]
    public void IsValid_TamperedParameter_IsFalse()
    {
        var tampered = Parameters.Select(p => p.Key == "Digits" ? new KeyValuePair<string, string>("Digits", "1235") : p).ToList();

        _validator.IsValid(Url, tampered, Signature).Should().BeFalse();
    }

    [Fact]
    public void IsValid_ExtraParameter_IsFalse() =>
        _validator.IsValid(Url, [.. Parameters, new("MessageStatus", "delivered")], Signature).Should().BeFalse();

    [Fact]
    public void IsValid_DifferentQueryString_IsFalse() =>
        _validator.IsValid("https://mycompany.com/myapp.php?foo=1&bar=3", Parameters, Signature).Should().BeFalse();

    [Fact]
    public void IsValid_DifferentHost_IsFalse() =>
        _validator.IsValid("https://evil.example/myapp.php?foo=1&bar=2", Parameters, Signature).Should().BeFalse();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 at all")]
    [InlineData("RSOYDt4T1cUTdK1PDd93/VVr8B8")]
    public void IsValid_MissingOrMalformedSignature_IsFalse(string? signature) =>
        _validator.IsValid(Url, Parameters, signature).Should().BeFalse();

    [Fact]
    public void IsValid_FormCollectionShape_FlattensValues()
    {
        var form = Parameters.Select(p => new KeyValuePair<string, StringValues>(p.Key, p.Value));

        _validator.IsValid(Url, form, Signature).Should().BeTrue();
    }

    [Fact]
    public void Constructor_EmptyToken_Throws() =>
        FluentActions.Invoking(() => new TwilioRequestValidator("")).Should().Throw<ArgumentException>().WithMessage("*auth token*");
}

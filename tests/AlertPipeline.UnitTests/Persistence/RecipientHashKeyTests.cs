using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Persistence;
using Microsoft.Extensions.Configuration;

namespace AlertPipeline.UnitTests.Persistence;

public sealed class RecipientHashKeyTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, v.Value))).Build();

    [Fact]
    public void Validate_MissingOutsideAzure_UsesTheDevelopmentKey()
    {
        var config = Config();

        RecipientHashKey.Validate(config).Should().BeEmpty();
        RecipientHashKey.CreateHasher(config).Hash(PhoneNumber.Parse("+447700900123"))
            .Should().Be(RecipientHasher.FromBase64(RecipientHashKey.DevelopmentKey).Hash(PhoneNumber.Parse("+447700900123")));
    }

    [Theory]
    [InlineData(null, "is required in Azure")]
    [InlineData(RecipientHashKey.DevelopmentKey, "public development key")]
    public void Validate_InAzure_RequiresASecretKey(string? key, string problem)
    {
        var config = Config(("WEBSITE_INSTANCE_ID", "abc"), ("RecipientHashKey", key));

        RecipientHashKey.Validate(config).Should().ContainSingle().Which.Should().Contain(problem);
        var act = () => RecipientHashKey.CreateHasher(config);
        act.Should().Throw<InvalidOperationException>().WithMessage("*RecipientHashKey*");
    }

    [Theory]
    [InlineData("c2hvcnQ=", "decodes to 5 bytes")]
    [InlineData("not base64!", "is not base64")]
    public void Validate_BadKey_NamesTheProblemWithoutTheKey(string key, string problem)
    {
        var errors = RecipientHashKey.Validate(Config(("RecipientHashKey", key)));

        errors.Should().ContainSingle().Which.Should().Contain(problem).And.NotContain(key);
    }

    [Fact]
    public void CreateHasher_ConfiguredKey_DiffersFromTheDevelopmentKey()
    {
        var key = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray());
        var phone = PhoneNumber.Parse("+447700900123");

        RecipientHashKey.CreateHasher(Config(("WEBSITE_SITE_NAME", "alerts"), ("RecipientHashKey", key))).Hash(phone)
            .Should().NotBe(RecipientHashKey.CreateHasher(Config()).Hash(phone));
    }
}

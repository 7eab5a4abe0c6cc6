using AlertPipeline.Infrastructure.Storage;

namespace AlertPipeline.UnitTests.Storage;

public class StorageConnectionStringTests
{
    [Fact]
    public void Parse_UseDevelopmentStorage_GivesEmulatorEndpointsAndKey()
    {
        var cs = StorageConnectionString.Parse("UseDevelopmentStorage=true");

        cs.AccountName.Should().Be("devstoreaccount1");
        cs.QueueEndpoint.Should().Be(new Uri("http://127.0.0.1:10001/devstoreaccount1"));
        cs.TableEndpoint.Should().Be(new Uri("http://127.0.0.1:10002/devstoreaccount1"));
        cs.Credential.Should().NotBeNull();
    }

    [Fact]
    public void Parse_AccountKeyWithoutEndpoints_DerivesHttpsEndpoints()
    {
        var cs = StorageConnectionString.Parse(
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net");

        cs.QueueEndpoint.Should().Be(new Uri("https://acct.queue.core.windows.net"));
        cs.TableEndpoint.Should().Be(new Uri("https://acct.table.core.windows.net"));
        cs.Credential!.AccountName.Should().Be("acct");
    }

    [Fact]
    public void Parse_EndpointsOnly_TakesAccountFromPathAndHasNoKey()
    {
        var cs = StorageConnectionString.Parse("QueueEndpoint=http://127.0.0.1:5555/devstoreaccount1");

        cs.AccountName.Should().Be("devstoreaccount1");
        cs.Credential.Should().BeNull();
        var act = () => cs.EndpointFor(StorageService.Table);
        act.Should().Throw<InvalidOperationException>().WithMessage("*no Table endpoint*");
    }

    [Theory]
    [InlineData("")]
    [InlineData("nonsense")]
    [InlineData("QueueEndpoint=not a url")]
    public void Parse_Malformed_ThrowsFormatException(string value)
    {
        var act = () => StorageConnectionString.Parse(value);
        act.Should().Throw<FormatException>();
    }

    [Fact]
    public void ToString_NeverShowsTheKey()
    {
        StorageConnectionString.Parse("UseDevelopmentStorage=true").ToString()
            .Should().NotContain(StorageConnectionString.DevelopmentAccountKey);
    }
}

using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Persistence;

namespace AlertPipeline.IntegrationTests.Persistence;

public sealed class ProviderIdRepositoryTests : PersistenceTestBase
{
    private static DeliveryKey Key(string recipient) =>
        new(AlertId.Parse("9daafee175ef322bbc65e89e225d0eef"), Channel.Sms, RecipientHash.Parse(recipient));

    [Fact]
    public async Task Owners_RecordedOverwrites_ClaimedOnlyWhenFree_FoundOrNull()
    {
        var index = new ProviderIdRepository(Tables);
        var ours = Key("28a94611e6a51f789840b23d0a82c3f6");
        var other = Key("2effdb1b1048e3fe33aeb0518ecbef4c");

        (await index.FindOwnerAsync("SM-unknown")).Should().BeNull("nobody owns a message no send or claim recorded");
        (await index.ClaimAsync("SM-1", other)).Should().Be(other.Value);
        (await index.ClaimAsync("SM-1", ours)).Should().Be(other.Value, "a claim never takes a message another delivery owns");
        await index.RecordAsync("SM-1", ours);

        (await index.FindOwnerAsync("SM-1")).Should().Be(ours.Value, "the send's own answer is authoritative");
    }
}

using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Persistence;
using Azure.Data.Tables;
using AlertPipeline.Testing;

namespace AlertPipeline.IntegrationTests.Persistence;

/// <summary>The pipeline's tables under a unique prefix on the shared Azurite, per test; deleted afterwards.</summary>
public abstract class PersistenceTestBase : IAsyncLifetime
{
    protected static readonly RecipientHasher Hasher = RecipientHasher.FromBase64(RecipientHashKey.DevelopmentKey);

    protected AzuriteFixture Azurite { get; private set; } = null!;

    protected TableServiceClient Service { get; private set; } = null!;

    protected PipelineTables Tables { get; private set; } = null!;

    protected PipelineStorageOptions Options { get; } = new();

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteFixture.SharedAsync();
        Service = new TableServiceClient(Azurite.ConnectionString);
        Tables = new PipelineTables(Service, AzuriteFixture.UniqueName("p"));
        await Tables.EnsureAllAsync();
    }

    public async Task DisposeAsync() => await Tables.DeleteAllAsync();

    protected static ContactEntry Contact(string union, string branch, string id, string? phone = null, string? email = null) => new(new Contact
    {
        UnionId = UnionId.Parse(union),
        BranchId = BranchId.Parse(branch),
        ContactId = ContactId.Parse(id),
        Name = "Member " + id,
        Phone = phone is null ? null : PhoneNumber.Parse(phone),
        Email = email is null ? null : EmailAddress.Parse(email),
        Language = LanguageTag.Parse("ru"),
        TimeZone = TimeZoneId.Parse("Asia/Aqtau"),
        Consent = new Consent(true, false),
    });
}

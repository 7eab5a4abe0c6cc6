using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Scheduling.Ports;
using AlertPipeline.IntegrationTests.Api;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Persistence.Schedules;
using Azure.Data.Tables;
using AlertPipeline.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlertPipeline.IntegrationTests;

/// <summary>
/// The function app in-process (WebApplicationFactory) on Azurite for the API, report and CLI fixtures: every table under
/// the fixture's own prefix (the schedule tables included), and quiet hours off, because these tests run on the real
/// clock and SMS must go at once whatever the hour.
/// </summary>
internal static class TestFunctionApps
{
    private static readonly string[] OtherTables = [ApiKeyService.TableName, AuditLog.TableName, "Schedules", "FiredOccurrences"];

    public static WebApplicationFactory<Program> Create(
        string connectionString, string prefix, IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? services = null) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("AzureWebJobsStorage", connectionString);
            builder.UseSetting("Pipeline:Storage:TablePrefix", prefix);
            builder.UseSetting("Pipeline:QuietHours", "off");
            foreach (var (name, value) in settings ?? new Dictionary<string, string>())
            {
                builder.UseSetting(name, value);
            }

            builder.ConfigureTestServices(collection =>
            {
                collection.RemoveAll<TableScheduleStore>();
                collection.RemoveAll<IScheduleStore>();
                collection.RemoveAll<IScheduleCatalog>();
                collection.RemoveAll<IScheduleTickStore>();
                collection.RemoveAll<IScheduleOccurrenceStore>();
                collection.AddScheduleStorage(configure: o =>
                {
                    o.SchedulesTable = prefix + "Schedules";
                    o.OccurrencesTable = prefix + "FiredOccurrences";
                });
                services?.Invoke(collection);
            });
        });

    /// <summary>A new union (unique id) with one branch, a union-admin key and an organiser key, in the app's storage.</summary>
    public static async Task<TestUnion> NewUnionAsync(WebApplicationFactory<Program> factory, string branch)
    {
        var membership = factory.Services.GetRequiredService<MembershipRepository>();
        var keys = factory.Services.GetRequiredService<ApiKeyService>();
        var unionId = UnionId.Parse(AzuriteFixture.UniqueName("u"));
        await membership.UpsertUnionAsync(new Union(unionId, "Union " + unionId));
        await membership.UpsertBranchAsync(new Branch(unionId, BranchId.Parse(branch), "Central"));
        var admin = await keys.CreateAsync(unionId, ApiRole.UnionAdmin);
        var organiser = await keys.CreateAsync(unionId, ApiRole.Organiser);
        return new TestUnion(unionId.Value, branch, admin.Secret, admin.Record.KeyId, organiser.Secret);
    }

    /// <summary>Deletes every table the app made under <paramref name="prefix"/>.</summary>
    public static async Task DeleteTablesAsync(WebApplicationFactory<Program> factory, string connectionString, string prefix)
    {
        await factory.Services.GetRequiredService<PipelineTables>().DeleteAllAsync();
        var service = new TableServiceClient(connectionString);
        foreach (var table in OtherTables)
        {
            await service.DeleteTableAsync(prefix + table);
        }
    }
}

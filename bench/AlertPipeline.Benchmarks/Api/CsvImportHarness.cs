using System.Diagnostics;
using System.Globalization;
using System.Text;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Persistence;
using Azure.Data.Tables;
using AlertPipeline.Testing;

namespace AlertPipeline.Benchmarks.Api;

/// <summary>
/// The organiser API's CSV import on a fresh local Azurite, split into its two halves: reading and validating the file
/// (<see cref="ContactCsv.Read"/>) and storing the good contacts (<see cref="MembershipAdmin.ImportContactsAsync(IReadOnlyList{AlertPipeline.Core.Ports.ContactEntry}, int, CancellationToken)"/>)
/// with 1, 4 and 8 transactions in flight. Usage: <c>csv-import [lines=10000]</c>.
/// </summary>
public sealed class CsvImportHarness : IHarness
{
    public string Name => "csv-import";

    public async Task RunAsync(string[] args)
    {
        var lines = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var file = Encoding.UTF8.GetBytes(BuildCsv(lines));
        var azurite = await AzuriteFixture.StartAsync();
        try
        {
            var union = UnionId.Parse("bench-union");
            var branch = BranchId.Parse("bench-branch");
            ContactCsv.Read(file, union, branch);   // warm-up (JIT, time zone data)

            var parse = Stopwatch.StartNew();
            var parsed = ContactCsv.Read(file, union, branch);
            parse.Stop();
            Console.WriteLine($"CSV import of {lines} lines ({file.Length / 1024} KiB) on Azurite ({Environment.ProcessorCount} cores)");
            Console.WriteLine($"{"step",-34} {"seconds",8} {"lines/s",9}");
            Console.WriteLine($"{"read + validate",-34} {parse.Elapsed.TotalSeconds,8:0.000} {lines / parse.Elapsed.TotalSeconds,9:0}");
            if (parsed.Contacts.Count != lines || parsed.Errors.Count != 0)
            {
                throw new InvalidOperationException($"Expected {lines} good lines, got {parsed.Contacts.Count} and {parsed.Errors.Count} errors.");
            }

            foreach (var parallelism in new[] { 1, 4, 8 })
            {
                var tables = new PipelineTables(new TableServiceClient(azurite.ConnectionString), AzuriteFixture.UniqueName("csv"));
                var admin = new MembershipAdmin(tables, new MembershipRepository(tables));
                await tables.GetAsync(PipelineTables.Contacts);
                var store = Stopwatch.StartNew();
                await admin.ImportContactsAsync(parsed.Contacts, parallelism);
                store.Stop();
                Console.WriteLine($"{$"store, {parallelism} transaction(s) in flight",-34} {store.Elapsed.TotalSeconds,8:0.000} {lines / store.Elapsed.TotalSeconds,9:0}");
            }
        }
        finally
        {
            azurite.Stop();
        }
    }

    private static string BuildCsv(int lines)
    {
        var csv = new StringBuilder(string.Join(',', ContactCsv.Columns)).Append('\n');
        for (var i = 0; i < lines; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"m{i:D6},Member {i},+447700{i:D6},m{i}@example.org,en,Europe/London,true,true\n");
        }

        return csv.ToString();
    }
}

using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;
using CsvHelper;

namespace AlertPipeline.Infrastructure.Api;

/// <summary>A bad CSV line: its line number in the file (the header is line 1), the column and what is wrong.</summary>
public sealed record CsvLineError(int Line, string Field, string Message);

/// <summary>
/// The result of reading an import file: the good contacts, every bad line's errors, or a file-level error (bad header)
/// that refuses the whole file; and warnings about lines accepted with a change (an extension dropped from a phone).
/// </summary>
public sealed record ContactCsvResult(IReadOnlyList<ContactEntry> Contacts, IReadOnlyList<CsvLineError> Errors, int Lines, FieldError? FileError = null)
{
    public IReadOnlyList<CsvLineError> Warnings { get; init; } = [];
}

/// <summary>
/// Reads a contacts CSV (docs/api.md): header <c>contactId,name,phone,email,language,timeZone,smsConsent,emailConsent</c>
/// (any order; every column required; no others), one contact per line. A line with any error is reported (every field
/// that is wrong) and left out; so are later lines repeating a contactId or a phone number already in the file.
/// Error messages never quote a number or an address.
/// </summary>
public static class ContactCsv
{
    public static IReadOnlyList<string> Columns { get; } = ["contactId", "name", "phone", "email", "language", "timeZone", "smsConsent", "emailConsent"];

    /// <summary>Reads a UTF-8 file held in memory (the import body, at most a few MiB).</summary>
    public static ContactCsvResult Read(byte[] utf8, UnionId unionId, BranchId branchId)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        var options = CsvReaderOptions.Default with
        {
            Separator = ',',
            HasHeader = true,
            TrimWhitespace = true,
            TrackLineNumbers = true,
            SkipEmptyLines = true,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MalformedData = CsvMalformedDataHandling.Recover,
            MissingField = CsvMissingFieldHandling.ReturnEmpty,
            IncludeValuesInExceptions = false,
        };
        using var csv = CsvReader.Create(utf8, options);
        csv.ReadHeader();
        var header = csv.Headers.ToArray();
        if (header.Length == 0 || header.All(string.IsNullOrWhiteSpace))
        {
            return new([], [], 0, new FieldError("header", "the file is empty: the first line must be the header " + string.Join(',', Columns)));
        }

        var missing = Columns.Where(c => !header.Contains(c, StringComparer.Ordinal)).ToList();
        var unknown = header.Where(h => !Columns.Contains(h, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0 || unknown.Count > 0)
        {
            var problems = new List<string>();
            if (missing.Count > 0)
            {
                problems.Add("missing column(s) " + string.Join(", ", missing));
            }

            if (unknown.Count > 0)
            {
                problems.Add("unknown column(s) " + string.Join(", ", unknown.Select(u => u.Length > 40 ? u[..40] : u)));
            }

            return new([], [], 1, new FieldError("header", string.Join("; ", problems) + " (expected " + string.Join(',', Columns) + ")"));
        }

        var index = Columns.ToDictionary(c => c, c => Array.IndexOf(header, c), StringComparer.Ordinal);
        var contacts = new List<ContactEntry>();
        var errors = new List<CsvLineError>();
        var warnings = new List<CsvLineError>();
        var contactLines = new Dictionary<string, int>(StringComparer.Ordinal);
        var phoneLines = new Dictionary<string, int>(StringComparer.Ordinal);
        var lastLine = 1;
        while (csv.Read())
        {
            var fields = csv.Current.ToArray();
            var line = (int)csv.LineNumber;
            lastLine = line;
            if (fields.Length != header.Length)
            {
                errors.Add(new(line, "line", $"has {fields.Length} fields; the header has {header.Length}"));
                continue;
            }

            string? Field(string column) => fields[index[column]];

            var fieldErrors = new List<FieldError>();
            var fieldWarnings = new List<FieldError>();
            var sms = ContactFields.ParseConsent(Field("smsConsent"), out var smsPresent);
            var email = ContactFields.ParseConsent(Field("emailConsent"), out var emailPresent);
            var input = new ContactInput(
                Field("contactId"), Field("name"), Field("phone"), Field("email"),
                Field("language"), Field("timeZone"), sms, email);
            var entry = ContactFields.Validate(unionId, branchId, input, fieldErrors, fieldWarnings);

            // "missing consent" for an empty cell; a cell that is there but not a boolean says so.
            foreach (var error in fieldErrors)
            {
                var present = error.Field == "smsConsent" ? smsPresent : error.Field == "emailConsent" && emailPresent;
                errors.Add(new(line, error.Field, present ? "is not true or false" : error.Message));
            }

            if (entry is not null && contactLines.TryGetValue(entry.Contact.ContactId.Value, out var firstId))
            {
                errors.Add(new(line, "contactId", $"duplicate contactId (first on line {firstId})"));
                entry = null;
            }

            if (entry?.Contact.Phone is { } phone)
            {
                if (phoneLines.TryGetValue(phone.E164, out var first))
                {
                    errors.Add(new(line, "phone", $"duplicate phone number (first on line {first})"));
                    entry = null;
                }
                else
                {
                    phoneLines[phone.E164] = line;
                }
            }

            if (entry is not null)
            {
                contacts.Add(entry);
                contactLines[entry.Contact.ContactId.Value] = line;
                warnings.AddRange(fieldWarnings.Select(w => new CsvLineError(line, w.Field, w.Message)));
            }
        }

        return new(contacts, errors, lastLine) { Warnings = warnings };
    }
}

using System.Text;
using System.Text.RegularExpressions;
using System.Text.Unicode;
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

    /// <summary>The line of each of <see cref="Contacts"/> (same order), so a job can import the file slice by slice.</summary>
    public IReadOnlyList<int> ContactLines { get; init; } = [];
}

/// <summary>
/// Reads a contacts CSV (docs/api.md): header <c>contactId,name,phone,email,language,timeZone,smsConsent,emailConsent</c>
/// (any order; every column required, once; no others), one contact per line, UTF-8 (a UTF-16 file with a byte order
/// mark is read too). A line with any error is reported (every field that is wrong) and left out; so are later lines
/// repeating a contactId or a phone number already in the file.
/// <para>
/// Bad quoting never swallows lines: a record with a stray quote (<c>Bo"b</c>, <c>"Bo"b"</c>) or a quote that never
/// closes is reported at the line where it starts; when such a record (or one with the wrong number of fields) ran over
/// several lines, reading starts again on the next line, so each following line is read or reported on its own. A field
/// that is not valid UTF-8 is a line error (never stored as U+FFFD).
/// </para>
/// Error messages never quote a number, an address or a line of the file.
/// </summary>
public static partial class ContactCsv
{
    public static IReadOnlyList<string> Columns { get; } = ["contactId", "name", "phone", "email", "language", "timeZone", "smsConsent", "emailConsent"];

    private static string Expected => " (expected " + string.Join(',', Columns) + ")";

    /// <summary>Reads a file held in memory (the import body, at most a few MiB).</summary>
    public static ContactCsvResult Read(byte[] file, UnionId unionId, BranchId branchId)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (ToUtf8(file) is not { } utf8)
        {
            return new([], [], 0, new FieldError("body", "is not valid UTF-16 (save the file as UTF-8)"));
        }

        // Many NUL bytes in a file without a byte order mark: UTF-16/32 without its mark (or not text); its header would
        // otherwise be reported as "not the header", which says nothing of the real problem. (A stray NUL in a field is
        // an error of its line.)
        var start = utf8.AsSpan(0, Math.Min(utf8.Length, 4096));
        if (start.Count((byte)0) * 4 >= start.Length && start.Length > 0)
        {
            return new([], [], 0, new FieldError("body", "holds NUL bytes: it is UTF-16 without a byte order mark, or not text (save the file as UTF-8)"));
        }

        var import = new Import(unionId, branchId, LineStarts(utf8));
        var malformed = new List<CsvMalformedRecord>();
        using (var csv = CsvReader.Create(utf8, Options(hasHeader: true, malformed)))
        {
            csv.ReadHeader();
            if (malformed.Count > 0)
            {
                // Skipping a malformed header would make the next line (a member's) the header: refuse the file instead.
                return new([], [], 1, new FieldError("header", $"the header line has {Describe(malformed[0].Reason)}{Expected}"));
            }

            if (HeaderProblem(csv.Headers.ToArray()) is { } problem)
            {
                return new([], [], 1, problem);
            }

            import.UseHeader(csv.Headers.ToArray());
            if (import.ReadRecords(csv, 0, malformed) is not { } restart)
            {
                return import.Result();
            }

            import.RestartAt = restart;
        }

        // A record over several lines went wrong: read again from the line after its first, as often as that happens.
        while (import.RestartAt is { } line && line < import.LineCount)
        {
            import.RestartAt = null;
            using var csv = CsvReader.Create(utf8.AsMemory(import.LineStart(line)), Options(hasHeader: false, malformed));
            import.RestartAt = import.ReadRecords(csv, line, malformed);
        }

        return import.Result();
    }

    private static CsvReaderOptions Options(bool hasHeader, List<CsvMalformedRecord> malformed) => CsvReaderOptions.Default with
    {
        Separator = ',',
        HasHeader = hasHeader,
        TrimWhitespace = true,
        TrackLineNumbers = true,
        SkipEmptyLines = true,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        MalformedData = CsvMalformedDataHandling.Skip,
        OnMalformedRecord = malformed.Add,
        MissingField = CsvMissingFieldHandling.ReturnEmpty,
        IncludeValuesInExceptions = false,
    };

    /// <summary>Why the header is refused, or null. Echoes a column name only when it cannot be a member's data.</summary>
    private static FieldError? HeaderProblem(string[] header)
    {
        if (header.Length == 0 || header.All(string.IsNullOrWhiteSpace))
        {
            return new FieldError("header", "the file is empty: the first line must be the header " + string.Join(',', Columns));
        }

        var known = header.Count(h => Columns.Contains(h, StringComparer.Ordinal));
        if (known * 2 < Columns.Count)
        {
            // Most likely a member's line (a file without its header): say nothing of what it holds.
            return new FieldError("header", $"the first line is not the header: {known} of its {header.Length} fields are column names; "
                + "the first line must name the columns" + Expected);
        }

        var problems = new List<string>();
        var missing = Columns.Where(c => !header.Contains(c, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0)
        {
            problems.Add("missing column(s) " + string.Join(", ", missing));
        }

        var repeated = Columns.Where(c => header.Count(h => h == c) > 1).ToList();
        if (repeated.Count > 0)
        {
            problems.Add("repeated column(s) " + string.Join(", ", repeated));
        }

        var unknown = header.Select((name, i) => (Name: name, Position: i + 1)).Where(h => !Columns.Contains(h.Name, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            problems.Add("unknown column(s) " + string.Join(", ", unknown.Select(u => ColumnName().IsMatch(u.Name) ? u.Name : $"at position {u.Position}")));
        }

        return problems.Count == 0 ? null : new FieldError("header", string.Join("; ", problems) + Expected);
    }

    private static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.UnterminatedQuote or CsvMalformedReason.LineBreakInQuotes => "a quote that is never closed",
        CsvMalformedReason.StrayQuote => "a quote inside a field that does not start with a quote (write it as \"\" inside a quoted field)",
        CsvMalformedReason.TextAfterClosingQuote => "text after a field's closing quote (a quote inside a quoted field is written \"\")",
        _ => "malformed quoting",
    };

    /// <summary>The file as UTF-8: as it is, or transcoded from UTF-16/32 with a byte order mark; null when that is not valid.</summary>
    private static byte[]? ToUtf8(byte[] file)
    {
        Encoding? encoding = file switch
        {
            [0xFF, 0xFE, 0x00, 0x00, ..] => new UTF32Encoding(bigEndian: false, byteOrderMark: true, throwOnInvalidCharacters: true),
            [0x00, 0x00, 0xFE, 0xFF, ..] => new UTF32Encoding(bigEndian: true, byteOrderMark: true, throwOnInvalidCharacters: true),
            [0xFF, 0xFE, ..] => new UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true),
            [0xFE, 0xFF, ..] => new UnicodeEncoding(bigEndian: true, byteOrderMark: true, throwOnInvalidBytes: true),
            _ => null,
        };
        if (encoding is null)
        {
            return file;
        }

        try
        {
            var preamble = encoding.GetPreamble().Length;
            return Encoding.UTF8.GetBytes(encoding.GetString(file, preamble, file.Length - preamble));
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Where each line starts (index 0: line 1), counting CR LF, LF and a lone CR as line breaks, as the reader does.</summary>
    private static List<int> LineStarts(byte[] utf8)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n' || (utf8[i] == (byte)'\r' && (i + 1 == utf8.Length || utf8[i + 1] != (byte)'\n')))
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private static bool SpansLines(ReadOnlySpan<byte> raw) => raw.IndexOfAny((byte)'\n', (byte)'\r') >= 0;

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,39}$")]
    private static partial Regex ColumnName();

    /// <summary>One import's state: the header, the lines read so far, the contacts and errors found.</summary>
    private sealed class Import(UnionId unionId, BranchId branchId, List<int> lineStarts)
    {
        private readonly List<ContactEntry> _contacts = [];
        private readonly List<int> _lines = [];
        private readonly List<CsvLineError> _errors = [];
        private readonly List<CsvLineError> _warnings = [];
        private readonly Dictionary<string, int> _contactLines = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _phoneLines = new(StringComparer.Ordinal);
        private Dictionary<string, int> _index = [];
        private string[] _header = [];
        private int _lastLine = 1;

        public void UseHeader(string[] header)
        {
            _header = header;
            _index = Columns.ToDictionary(c => c, c => Array.IndexOf(header, c), StringComparer.Ordinal);
        }

        /// <summary>The 0-based index of the line to read again from (line index + 1 is its number), when a multi-line record went wrong.</summary>
        public int? RestartAt { get; set; }

        public int LineCount => lineStarts.Count;

        public int LineStart(int line) => lineStarts[line];

        public ContactCsvResult Result() => new(_contacts, [.. _errors.OrderBy(e => e.Line)], _lastLine) { Warnings = _warnings, ContactLines = _lines };

        /// <summary>
        /// Reads records from a reader that starts after <paramref name="linesBefore"/> lines of the file. Returns the line
        /// index to read again from when a record over several lines was malformed (the rest of this reader is dropped).
        /// </summary>
        public int? ReadRecords(CsvReader csv, int linesBefore, List<CsvMalformedRecord> malformed)
        {
            malformed.Clear();
            while (csv.Read())
            {
                if (ReportMalformed(linesBefore, malformed) is { } restart)
                {
                    return restart;
                }

                var line = linesBefore + (int)csv.LineNumber;
                _lastLine = Math.Max(_lastLine, line);
                if (ReadRecord(csv, line))
                {
                    return line;
                }
            }

            return ReportMalformed(linesBefore, malformed);
        }

        /// <summary>Reports the records the reader skipped for bad quoting; the restart line when one of them ran over several lines.</summary>
        private int? ReportMalformed(int linesBefore, List<CsvMalformedRecord> malformed)
        {
            try
            {
                foreach (var record in malformed)
                {
                    var line = linesBefore + (int)record.LineNumber;
                    _lastLine = Math.Max(_lastLine, line);
                    var spans = SpansLines(Encoding.UTF8.GetBytes(record.RawRecord));
                    _errors.Add(new(line, "line", spans
                        ? "has a quote that is not closed on this line; the lines after it are read on their own"
                        : $"has {Describe(record.Reason)}"));
                    if (spans)
                    {
                        return line;
                    }
                }

                return null;
            }
            finally
            {
                malformed.Clear();
            }
        }

        /// <summary>Reads one record; true when it ran over several lines with the wrong number of fields (read them again).</summary>
        private bool ReadRecord(CsvReader csv, int line)
        {
            if (csv.FieldCount != _header.Length)
            {
                var spans = SpansLines(csv.RawRecord);
                _errors.Add(new(line, "line", $"has {csv.FieldCount} fields; the header has {_header.Length}"
                    + (spans ? " (a quoted field runs over several lines; the lines after it are read on their own)" : string.Empty)));
                return spans;
            }

            if (!Utf8.IsValid(csv.RawRecord))
            {
                // The reader would decode these bytes to U+FFFD: report the line instead of storing a damaged value.
                var columns = Columns.Where(c => !Utf8.IsValid(csv.GetRawSpan(_index[c]))).DefaultIfEmpty("line");
                _errors.AddRange(columns.Select(c => new CsvLineError(line, c, "is not valid UTF-8 (save the file as UTF-8)")));
                return false;
            }

            var fields = csv.Current.ToArray();
            string? Field(string column) => fields[_index[column]];

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
                _errors.Add(new(line, error.Field, present ? "is not true or false" : error.Message));
            }

            if (entry is not null && _contactLines.TryGetValue(entry.Contact.ContactId.Value, out var firstId))
            {
                _errors.Add(new(line, "contactId", $"duplicate contactId (first on line {firstId})"));
                entry = null;
            }

            if (entry?.Contact.Phone is { } phone)
            {
                if (_phoneLines.TryGetValue(phone.E164, out var first))
                {
                    _errors.Add(new(line, "phone", $"duplicate phone number (first on line {first})"));
                    entry = null;
                }
                else
                {
                    _phoneLines[phone.E164] = line;
                }
            }

            if (entry is not null)
            {
                _contacts.Add(entry);
                _lines.Add(line);
                _contactLines[entry.Contact.ContactId.Value] = line;
                _warnings.AddRange(fieldWarnings.Select(w => new CsvLineError(line, w.Field, w.Message)));
            }

            return false;
        }
    }
}

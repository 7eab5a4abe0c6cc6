using System.Text;
using System.Text.RegularExpressions;
using AlertPipeline.Core.Common;
using PhoneNumbers;

namespace AlertPipeline.Testing;

/// <summary>
/// Scans log text for personal data that must never be logged in full (docs/channels.md, "Personal data"): any phone
/// number and any email address, whoever's they are — not only the numbers a test knows about.
/// <para>Use it on captured lines, a file or a whole folder of logs:</para>
/// <code>
/// LogScan.Lines(sink.Lines).Should().BeEmpty();                     // lines captured in-process (LogSink)
/// LogScan.Path("/tmp/fault-run/logs").Should().BeEmpty();            // every file under a folder, recursively
/// LogScan.ThrowIfAny(LogScan.Path(logFile));                         // or fail with a report that masks what it found
/// var exitCode = LogScan.Run(["/tmp/fault-run/logs"], Console.Out);  // a CLI entry point: 0 clean, 1 findings, 2 usage
/// </code>
/// <para>What counts (each finding reports where, and the value masked, never in full):</para>
/// <list type="bullet">
/// <item><b>International numbers</b>: <c>+</c> or <c>00</c>, then 7–15 digits (separators <c>space - . ( ) /</c>
/// allowed) that libphonenumber reads as a possible number of an assigned country code (<c>+44 7700 900123</c>,
/// <c>+7 701 123-45-67</c>; fictional ranges included: a number is personal data whether or not it is assigned).</item>
/// <item><b>National numbers</b>: 7–15 digits starting with a trunk prefix (<c>0</c>, or <c>8</c> as in KZ/RU) that are
/// a possible number of one of <see cref="NationalRegions"/> (<c>07700 900123</c>, <c>8 701 123 45 67</c>), and runs of
/// 10–15 digits without a prefix that are a possible number there or a possible E.164 number without its <c>+</c>
/// (<c>(202) 555-0143</c>, <c>447700900123</c>). Shorter runs without a prefix are counts, sizes or codes.</item>
/// <item><b>Email addresses</b>: <c>local@domain.tld</c> (masked forms such as <c>j***@e***.org</c> are not).</item>
/// </list>
/// <para>Not counted: digits that are part of an identifier or hash (a letter, digit or <c>_</c> touching the run:
/// GUIDs, SHA-256 hex, Twilio SIDs), ISO dates and times, Unix timestamps in seconds or milliseconds (10 or 13 digits
/// starting with 1 and no separators), runs longer than 15 digits, masked numbers (<c>+44********23</c>), message ids
/// shaped like addresses whose local part holds a hash of 16+ hex digits (<c>ap.3f0c…@union.example</c>), and values
/// listed in <c>allowed</c> (e.g. a campaign's public help address).</para>
/// </summary>
public static partial class LogScan
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>Regions whose national formats are recognised (those of the unions and members this system serves).</summary>
    public static IReadOnlyList<string> NationalRegions { get; } = ["GB", "KZ", "RU", "US", "DE", "FR", "IE", "UA", "PL", "TR"];

    /// <summary>Every finding in <paramref name="lines"/>; <paramref name="source"/> names them in the findings.</summary>
    public static IReadOnlyList<LogFinding> Lines(IEnumerable<string> lines, string source = "log", IEnumerable<string>? allowed = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var allow = new HashSet<string>(allowed ?? [], StringComparer.OrdinalIgnoreCase);
        var findings = new List<LogFinding>();
        var number = 0;
        foreach (var line in lines)
        {
            number++;
            findings.AddRange(Line(line, allow).Select(f => f with { Source = source, LineNumber = number }));
        }

        return findings;
    }

    /// <summary>Every finding in one file (read as UTF-8, invalid bytes replaced).</summary>
    public static IReadOnlyList<LogFinding> File(string path, IEnumerable<string>? allowed = null) =>
        Lines(System.IO.File.ReadLines(path, Encoding.UTF8), path, allowed);

    /// <summary>Every finding in a file, or in every file under a folder (recursively).</summary>
    public static IReadOnlyList<LogFinding> Path(string fileOrDirectory, IEnumerable<string>? allowed = null)
    {
        ArgumentNullException.ThrowIfNull(fileOrDirectory);
        if (System.IO.File.Exists(fileOrDirectory))
        {
            return File(fileOrDirectory, allowed);
        }

        if (!Directory.Exists(fileOrDirectory))
        {
            throw new DirectoryNotFoundException($"No log file or folder at '{fileOrDirectory}'.");
        }

        var allow = allowed?.ToList();
        return Directory.EnumerateFiles(fileOrDirectory, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .SelectMany(f => File(f, allow))
            .ToList();
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> listing the findings (masked) when there are any.</summary>
    public static void ThrowIfAny(IReadOnlyList<LogFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        if (findings.Count > 0)
        {
            throw new InvalidOperationException(Report(findings));
        }
    }

    /// <summary>One line per finding (at most 50): where, what kind, the value masked.</summary>
    public static string Report(IReadOnlyList<LogFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var builder = new StringBuilder($"{findings.Count} log line finding(s) of personal data:");
        foreach (var finding in findings.Take(50))
        {
            builder.Append('\n').Append(finding);
        }

        return builder.ToString();
    }

    /// <summary>
    /// The command-line form: <c>LogScan.Run(["path", …, "--allow", "help@example.org"], Console.Out)</c> scans each file
    /// or folder, prints the findings (masked) and returns 0 when clean, 1 with findings, 2 on bad arguments.
    /// </summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var paths = new List<string>();
        var allowed = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--allow" && i + 1 < args.Count)
            {
                allowed.Add(args[++i]);
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                output.WriteLine($"unknown option {args[i]}; usage: logscan <file-or-folder>... [--allow value]...");
                return 2;
            }
            else
            {
                paths.Add(args[i]);
            }
        }

        if (paths.Count == 0 || paths.Any(p => !System.IO.File.Exists(p) && !Directory.Exists(p)))
        {
            output.WriteLine("usage: logscan <file-or-folder>... [--allow value]... (every path must exist)");
            return 2;
        }

        var findings = paths.SelectMany(p => Path(p, allowed)).ToList();
        output.WriteLine(findings.Count == 0 ? $"no personal data found in {string.Join(", ", paths)}" : Report(findings));
        return findings.Count == 0 ? 0 : 1;
    }

    private static IEnumerable<LogFinding> Line(string line, HashSet<string> allowed)
    {
        foreach (Match email in EmailLike().Matches(line))
        {
            // A Message-ID (ap.<sha256 prefix>@our-domain) has the shape of an address but names a message, not a person.
            if (!allowed.Contains(email.Value) && !HexRun().IsMatch(email.Value[..email.Value.IndexOf('@')]))
            {
                yield return new LogFinding("", 0, LogFindingKind.EmailAddress, Redact.Email(email.Value));
            }
        }

        // Dates, times and the like become letters, so that they neither count as digits nor join a neighbouring run.
        var text = NotANumber().Replace(line, m => new string('x', m.Length));
        foreach (Match run in DigitRun().Matches(text))
        {
            if (PhoneIn(run.Value) is { } phone && !allowed.Contains(phone))
            {
                yield return new LogFinding("", 0, LogFindingKind.PhoneNumber, Redact.Phone(phone));
            }
        }
    }

    /// <summary>The first number in a run of digit groups (any span of consecutive groups may be one), or null.</summary>
    private static string? PhoneIn(string run)
    {
        var groups = Whitespace().Split(run.Trim()).Where(g => g.Length > 0).ToArray();
        for (var length = groups.Length; length >= 1; length--)
        {
            for (var start = 0; start + length <= groups.Length; start++)
            {
                var candidate = string.Join(' ', groups, start, length);
                if (IsPhoneNumber(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static bool IsPhoneNumber(string candidate)
    {
        var international = candidate.StartsWith('+') || candidate.StartsWith("00", StringComparison.Ordinal);
        if (candidate.IndexOf('+', 1) >= 0)
        {
            return false;
        }

        var digits = new string(candidate.Where(char.IsAsciiDigit).ToArray());
        if (digits.Length is < 7 or > 15)
        {
            return false;
        }

        if (international)
        {
            return IsPossible("+" + (candidate.StartsWith('+') ? digits : digits[2..]), null);
        }

        var separated = digits.Length != candidate.Length;
        if (!separated && digits[0] == '1' && digits.Length is 10 or 13)
        {
            return false; // a Unix timestamp (seconds or milliseconds)
        }

        if (digits[0] is '0' or '8')
        {
            return NationalRegions.Any(region =>
                digits.StartsWith(Util.GetMetadataForRegion(region)?.NationalPrefix ?? "\0", StringComparison.Ordinal) && IsPossible(digits, region));
        }

        return digits.Length >= 10 && (NationalRegions.Any(region => IsPossible(digits, region)) || (digits.Length >= 11 && IsPossible("+" + digits, null)));
    }

    private static bool IsPossible(string number, string? region)
    {
        try
        {
            var parsed = Util.Parse(number, region);
            return Util.IsPossibleNumberWithReason(parsed) == PhoneNumberUtil.ValidationResult.IS_POSSIBLE
                   && Util.GetRegionCodeForCountryCode(parsed.CountryCode) != "ZZ";
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    /// <summary>ISO dates and times (with fractions and offsets) and clock times.</summary>
    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?|\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?")]
    private static partial Regex NotANumber();

    /// <summary>
    /// A run of digits and separators not touching an identifier: no letter, digit or <c>_</c> on either side, nor one
    /// behind a <c>- . /</c> (a GUID's or a dotted name's next part).
    /// </summary>
    [GeneratedRegex(@"(?<![\p{L}\p{N}_+]|[\p{L}\p{N}_][\-./])(?:\+|\uFF0B)?\(?\d(?:[\d().\-/]|[ \u00A0](?=[\d(+]))*\d(?![\p{L}\p{N}_]|[\-./][\p{L}\p{N}_])")]
    private static partial Regex DigitRun();

    [GeneratedRegex(@"[0-9a-fA-F]{16}")]
    private static partial Regex HexRun();

    [GeneratedRegex(@"[\s\u00A0]+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(?<![\p{L}\p{N}._%+\-])[\p{L}\p{N}][\p{L}\p{N}._%+\-]*@[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?)*\.\p{L}{2,}")]
    private static partial Regex EmailLike();
}

public enum LogFindingKind
{
    PhoneNumber,
    EmailAddress,
}

/// <summary>One finding: the file (or source name) and 1-based line, the kind, and the value masked (never in full).</summary>
public sealed record LogFinding(string Source, int LineNumber, LogFindingKind Kind, string Masked)
{
    public override string ToString() => $"{Source}:{LineNumber}: {Kind} {Masked}";
}

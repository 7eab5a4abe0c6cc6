using System.Globalization;
using System.Text;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using NodaTime;
using NodaTime.Text;

namespace AlertPipeline.Infrastructure.Api;

/// <summary>
/// The delivery report's CSV (RFC 4180, UTF-8, CRLF): one line per delivery row, never an address, name or hash.
/// Erased contacts' rows have empty <c>branchId</c> and <c>contactId</c>; <c>notBefore</c> is set on SMS deferred by quiet hours.
/// </summary>
public static class DeliveryReportCsv
{
    public const string MediaType = "text/csv";

    public static IReadOnlyList<string> Columns { get; } =
        ["channel", "unionId", "branchId", "contactId", "status", "reason", "errorCode", "segments", "notBefore", "sentAt", "updatedAt"];

    public static string Header { get; } = string.Join(',', Columns) + "\r\n";

    public static string Line(DeliveryRecord row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var contact = row.Contact is { IsErased: false } c ? c : null;
        // A Sent row the provider never confirmed (email handed over, reply lost; not re-sent) says so.
        var reason = row.Status == DeliveryStatus.Skipped ? row.SkipReason?.ToString()
            : row.FailureReason?.ToString() ?? (row.Unconfirmed is null ? null : "Unconfirmed");
        string?[] fields =
        [
            row.Channel.ToWireName(),
            row.Contact?.UnionId.Value,
            contact?.BranchId.Value,
            contact?.ContactId.Value,
            row.Status.ToString(),
            reason,
            row.ErrorCode,
            row.Segments?.ToString(CultureInfo.InvariantCulture),
            Format(row.NotBefore),
            Format(row.SentAt),
            Format(row.UpdatedAt),
        ];
        var line = new StringBuilder();
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            line.Append(Escape(fields[i]));
        }

        return line.Append("\r\n").ToString();
    }

    /// <summary>Quotes a field with a comma, quote or line break; a field that a spreadsheet would read as a formula gets a leading quote mark.</summary>
    public static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static string? Format(Instant? instant) => instant is { } value ? InstantPattern.ExtendedIso.Format(value) : null;
}

using System.Globalization;
using System.Text.Json;
using AlertPipeline.Core.Common;
using AlertPipeline.Infrastructure.Channels;

namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>
/// A Message resource as Twilio returns it. <see cref="ToString"/> masks <see cref="To"/> and omits the body, so a
/// logged message leaks nothing.
/// </summary>
public sealed record TwilioMessage(
    string Sid,
    string Status,
    int? ErrorCode,
    string? ErrorMessage,
    int NumSegments,
    string? To,
    string? From,
    string? MessagingServiceSid,
    string? Body,
    DateTimeOffset? DateCreated,
    DateTimeOffset? DateSent,
    decimal? Price,
    string? PriceUnit)
{
    /// <summary>Reads a Message resource object. Tolerates numbers sent as strings and the other way round.</summary>
    public static TwilioMessage FromJson(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("A Twilio message must be a JSON object.");
        }

        var sid = String(json, "sid") ?? throw new FormatException("The Twilio message has no 'sid'.");
        return new TwilioMessage(
            sid,
            String(json, "status") ?? "unknown",
            Int(json, "error_code"),
            String(json, "error_message"),
            Int(json, "num_segments") ?? 0,
            String(json, "to"),
            String(json, "from"),
            String(json, "messaging_service_sid"),
            String(json, "body"),
            ParseRfc2822(String(json, "date_created")),
            ParseRfc2822(String(json, "date_sent")),
            Decimal(json, "price"),
            String(json, "price_unit"));
    }

    /// <summary>Parses Twilio's dates, e.g. <c>Thu, 30 Jul 2015 20:12:31 +0000</c>; null when absent or unreadable.</summary>
    public static DateTimeOffset? ParseRfc2822(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        var lastSpace = trimmed.LastIndexOf(' ');
        if (lastSpace > 0)
        {
            var zone = trimmed[(lastSpace + 1)..];
            if (zone.Length == 5 && (zone[0] == '+' || zone[0] == '-')
                && int.TryParse(zone.AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
                && int.TryParse(zone.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
                && DateTime.TryParseExact(trimmed[..lastSpace], ["ddd, dd MMM yyyy HH:mm:ss", "ddd, d MMM yyyy HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            {
                var offset = new TimeSpan(hours, minutes, 0);
                return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone[0] == '-' ? -offset : offset);
            }
        }

        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
    }

    public override string ToString() =>
        $"TwilioMessage {{ Sid = {Sid}, Status = {Status}, ErrorCode = {ErrorCode}, NumSegments = {NumSegments}, To = {Redact.Phone(To)}, DateCreated = {DateCreated:O} }}";

    private static string? String(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static int? Int(JsonElement json, string name) =>
        int.TryParse(String(json, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static decimal? Decimal(JsonElement json, string name) =>
        decimal.TryParse(String(json, name), NumberStyles.Number, CultureInfo.InvariantCulture, out var number) ? number : null;
}

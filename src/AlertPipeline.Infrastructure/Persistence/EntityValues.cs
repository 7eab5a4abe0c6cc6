using Azure.Data.Tables;
using NodaTime;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// Reading stored properties back into Core's types. A row that cannot be read is corrupt: the error names the table,
/// the keys and the property, never the value (it may be personal data).
/// </summary>
internal static class EntityValues
{
    public const char KeySeparator = '~';

    public static string Key(params string[] parts) => string.Join(KeySeparator, parts);

    public static string Required(this TableEntity entity, string property) =>
        entity.GetString(property) is { Length: > 0 } value ? value : throw Corrupt(entity, property, "is missing");

    public static T Parse<T>(this TableEntity entity, string property, Func<string, T?> parse)
        where T : class =>
        parse(entity.Required(property)) ?? throw Corrupt(entity, property, "is not valid");

    public static T? ParseOptional<T>(this TableEntity entity, string property, Func<string, T?> parse)
        where T : class =>
        entity.GetString(property) is { Length: > 0 } text ? parse(text) ?? throw Corrupt(entity, property, "is not valid") : null;

    public static TEnum? Enum<TEnum>(this TableEntity entity, string property)
        where TEnum : struct, System.Enum =>
        entity.GetString(property) is { Length: > 0 } text
            ? System.Enum.TryParse<TEnum>(text, ignoreCase: false, out var value) && System.Enum.IsDefined(value) ? value : throw Corrupt(entity, property, "is not a known value")
            : null;

    public static Instant? Instant(this TableEntity entity, string property) =>
        entity.GetDateTimeOffset(property) is { } value ? NodaTime.Instant.FromDateTimeOffset(value) : null;

    public static DateTimeOffset? ToStored(this Instant? instant) => instant?.ToDateTimeOffset();

    public static InvalidDataException Corrupt(TableEntity entity, string property, string problem) =>
        new($"Stored row ({entity.PartitionKey}, {entity.RowKey}): property '{property}' {problem}.");
}

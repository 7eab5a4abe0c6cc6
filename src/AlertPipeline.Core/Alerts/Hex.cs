namespace AlertPipeline.Core.Alerts;

internal static class Hex
{
    /// <summary>Null when <paramref name="value"/> is exactly <paramref name="length"/> lowercase hex digits, otherwise why not.</summary>
    public static string? Check(string? value, int length, string what) =>
        value is null || value.Length != length || !value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'))
            ? $"{what} must be {length} lowercase hexadecimal digits"
            : null;
}

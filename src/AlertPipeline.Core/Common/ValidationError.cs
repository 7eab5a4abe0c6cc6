namespace AlertPipeline.Core.Common;

/// <summary>
/// One problem with some input, naming where it is (<paramref name="Path"/>, e.g. a JSON path such as
/// <c>$.occurrence.timeZone</c>, or a field name) and what is wrong with it.
/// </summary>
public sealed record ValidationError(string Path, string Message)
{
    /// <summary><c>path: message</c>, the form used in logs and poison-queue reasons.</summary>
    public override string ToString() => $"{Path}: {Message}";
}

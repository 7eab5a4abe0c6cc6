namespace AlertPipeline.Core.Common;

/// <summary>
/// The outcome of parsing or rendering: either a value, or one or more <see cref="ValidationError"/>s, never both.
/// Build one with <see cref="Result.Success{T}"/> or <see cref="Result.Failure{T}(IEnumerable{ValidationError})"/>.
/// </summary>
public sealed record Result<T>
{
    private readonly T? value;

    internal Result(T? value, ValueList<ValidationError> errors)
    {
        this.value = value;
        Errors = errors;
    }

    public bool IsSuccess => Errors.Count == 0;

    /// <summary>The value; throws <see cref="InvalidOperationException"/> (listing the errors) when this is a failure.</summary>
    public T Value => IsSuccess
        ? value!
        : throw new InvalidOperationException($"No value: {string.Join("; ", Errors)}");

    /// <summary>Empty on success.</summary>
    public ValueList<ValidationError> Errors { get; }

    public bool TryGetValue(out T value)
    {
        value = this.value!;
        return IsSuccess;
    }

    /// <summary>"Success" or the errors; never the value (a rendered message holds a person's name).</summary>
    public override string ToString() => IsSuccess ? "Success" : $"Failure({string.Join("; ", Errors)})";
}

public static class Result
{
    public static Result<T> Success<T>(T value) =>
        new(value ?? throw new ArgumentNullException(nameof(value)), ValueList.Empty<ValidationError>());

    public static Result<T> Failure<T>(IEnumerable<ValidationError> errors)
    {
        var list = ValueList.From(errors);
        if (list.Count == 0)
        {
            throw new ArgumentException("A failure needs at least one error.", nameof(errors));
        }

        return new(default, list);
    }

    public static Result<T> Failure<T>(string path, string message) => Failure<T>([new ValidationError(path, message)]);
}

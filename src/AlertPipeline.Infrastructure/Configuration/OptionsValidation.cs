using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Infrastructure.Configuration;

public static class OptionsValidation
{
    /// <summary>
    /// Validates the options on start with <paramref name="validate"/>, which lists every problem (each naming its key);
    /// start-up fails with all of them.
    /// </summary>
    public static OptionsBuilder<TOptions> ValidateAll<TOptions>(this OptionsBuilder<TOptions> builder, Func<TOptions, IReadOnlyList<string>> validate)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(validate);
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new Validator<TOptions>(builder.Name, validate));
        return builder.ValidateOnStart();
    }

    private sealed class Validator<TOptions>(string? name, Func<TOptions, IReadOnlyList<string>> validate) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? optionsName, TOptions options)
        {
            if (name is not null && name != optionsName)
            {
                return ValidateOptionsResult.Skip;
            }

            var errors = validate(options);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}

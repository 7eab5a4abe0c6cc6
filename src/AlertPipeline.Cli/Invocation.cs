using System.CommandLine;
using System.Text.Json;
using AlertPipeline.Cli.Api;
using AlertPipeline.Cli.Commands;
using AlertPipeline.Core.Contacts;
using Spectre.Console;

namespace AlertPipeline.Cli;

/// <summary>One command being run: its parsed options, the consoles, and the API client built from the global options.</summary>
internal sealed class Invocation(CliApp app, ParseResult parse, CancellationToken cancellationToken) : IDisposable
{
    private HttpClient? _http;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public IAnsiConsole Out => app.Context.Out;

    public IAnsiConsole Error => app.Context.Error;

    public CliContext Context => app.Context;

    public bool Json => parse.GetValue(GlobalOptions.Json);

    public T? Value<T>(Option<T> option) => parse.GetValue(option);

    public T? Value<T>(Argument<T> argument) => parse.GetValue(argument);

    /// <summary>The union (<c>--union</c> or <c>ALERTPIPELINE_UNION</c>), checked to be a valid id.</summary>
    public string Union
    {
        get
        {
            var union = Setting(GlobalOptions.Union, CliApp.UnionVariable)
                ?? throw new CliUsageException($"Option '--union' is required (or set {CliApp.UnionVariable}).");
            return UnionId.TryParse(union, out _, out var error) ? union : throw new CliUsageException($"Option '--union': {error}");
        }
    }

    /// <summary>The API client from <c>--api-url</c>/<c>--key</c> or their environment variables.</summary>
    public ApiClient Api
    {
        get
        {
            var url = Setting(GlobalOptions.ApiUrl, CliApp.ApiUrlVariable)
                ?? throw new CliUsageException($"Option '--api-url' is required (or set {CliApp.ApiUrlVariable}).");
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw new CliUsageException("Option '--api-url' must be an absolute http(s) URL, e.g. https://alerts.example.org.");
            }

            // Never echo the key: the messages name the option, not its value.
            var key = Setting(GlobalOptions.Key, CliApp.ApiKeyVariable)
                ?? throw new CliUsageException($"Option '--key' is required (or set {CliApp.ApiKeyVariable}).");
            _http ??= app.Context.CreateHttpClient();
            return new ApiClient(_http, uri, key);
        }
    }

    public string? Setting(Option<string> option, string variable)
    {
        var value = parse.GetValue(option);
        if (string.IsNullOrWhiteSpace(value))
        {
            value = app.Context.Environment(variable);
        }

        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>Writes <paramref name="value"/> as indented JSON, unwrapped, to the output.</summary>
    public void WriteJson(object value)
    {
        var writer = Out.Profile.Out.Writer;
        writer.WriteLine(value is JsonElement element
            ? JsonSerializer.Serialize(element, Output.Render.IndentedJson)
            : JsonSerializer.Serialize(value, value.GetType(), Output.Render.IndentedJson));
        writer.Flush();
    }

    /// <summary>A local JSON file (<c>--file</c>), parsed; a missing or malformed file names the option and the position.</summary>
    public JsonElement ReadJsonFile(Option<FileInfo> option)
    {
        var file = Value(option) ?? throw new CliUsageException($"Option '{option.Name}' is required.");
        if (!file.Exists)
        {
            throw new CliUsageException($"Option '{option.Name}': file '{file.FullName}' does not exist.");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file.FullName));
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw new CliUsageException($"Option '{option.Name}': '{file.Name}' must hold one JSON object.");
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"Option '{option.Name}': '{file.Name}' is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }
    }

    public void Dispose() => _http?.Dispose();
}

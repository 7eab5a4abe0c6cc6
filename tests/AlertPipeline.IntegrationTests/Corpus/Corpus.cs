using System.Collections.Concurrent;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlertPipeline.Testing;

namespace AlertPipeline.IntegrationTests.Corpus;

/// <summary>
/// The corpus of bad input (<c>tests/corpus/*.json</c>): each file holds <c>cases</c>, each case a <c>name</c>, its input
/// and its expected outcome. Theories take the case name (so each case is its own test) and look the case up here.
/// <para>Strings in a case may use <c>{{repeat:N:text}}</c> (the text N times) for oversized input; an
/// <c>encoding</c> says how the input's text becomes bytes (<see cref="Encode"/>).</para>
/// </summary>
internal static partial class Corpus
{
    private static readonly ConcurrentDictionary<string, JsonObject> Files = new(StringComparer.Ordinal);

    /// <summary>Writes non-ASCII characters as themselves, so that an <c>encoding</c> applies to them.</summary>
    public static readonly JsonSerializerOptions Literal = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonObject File(string name) =>
        Files.GetOrAdd(name, n => JsonNode.Parse(System.IO.File.ReadAllText(RepositoryPaths.Combine("tests", "corpus", n)))!.AsObject());

    /// <summary>The case names of a corpus file, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> Names(string file)
    {
        var data = new TheoryData<string>();
        foreach (var item in File(file)["cases"]!.AsArray())
        {
            data.Add(item!["name"]!.GetValue<string>());
        }

        return data;
    }

    public static JsonObject Case(string file, string name) =>
        File(file)["cases"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == name)!.AsObject();

    /// <summary>Expands <c>{{repeat:N:text}}</c>.</summary>
    public static string Expand(string text) =>
        Repeat().Replace(text, m => string.Concat(Enumerable.Repeat(m.Groups[2].Value, int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))));

    /// <summary>Expands every string of a JSON tree (names and values).</summary>
    public static JsonNode? Expand(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(Expand(p.Key), Expand(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Expand)]),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonValue.Create(Expand(v.GetValue<string>())),
        _ => node?.DeepClone(),
    };

    /// <summary>
    /// The bytes of <paramref name="text"/> in <paramref name="encoding"/>: <c>utf-8</c> (default), <c>utf-8-bom</c>,
    /// <c>latin-1</c> (ISO-8859-1: é as one byte, invalid UTF-8), <c>windows-1251</c> (Cyrillic as single bytes),
    /// <c>utf-16</c> (little-endian with its byte order mark) or <c>utf-16-nobom</c>.
    /// </summary>
    public static byte[] Encode(string text, string? encoding) => encoding switch
    {
        null or "utf-8" => Encoding.UTF8.GetBytes(text),
        "utf-8-bom" => [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)],
        "latin-1" => Encoding.Latin1.GetBytes(text),
        "windows-1251" => Cyrillic1251(text),
        "utf-16" => [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(text)],
        "utf-16-nobom" => Encoding.Unicode.GetBytes(text),
        _ => throw new ArgumentException($"unknown corpus encoding '{encoding}'", nameof(encoding)),
    };

    public static string? String(JsonNode? node, string name) => node?[name]?.GetValue<string>();

    /// <summary>Windows-1251 without the code-pages provider: ASCII as is, А–я (U+0410–U+044F) as 0xC0–0xFF.</summary>
    private static byte[] Cyrillic1251(string text) =>
        [.. text.Select(c => c < 0x80 ? (byte)c : c is >= '\u0410' and <= '\u044F' ? (byte)(c - 0x0410 + 0xC0) : throw new ArgumentException($"no windows-1251 byte for U+{(int)c:X4}"))];

    [GeneratedRegex(@"\{\{repeat:(\d+):(.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex Repeat();
}

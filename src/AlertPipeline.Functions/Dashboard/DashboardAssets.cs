using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace AlertPipeline.Functions.Dashboard;

/// <summary>One file of the dashboard: its bytes, media type and entity tag.</summary>
public sealed record DashboardAsset(string Path, byte[] Content, string ContentType, string ETag);

/// <summary>
/// The organiser dashboard's static files (<c>Dashboard/wwwroot</c>), embedded in the app's assembly at build time as
/// <c>dashboard/{path}</c> resources. A request can only name one of these paths: there is no file system behind it,
/// so no path (<c>..</c>, an encoded slash, an absolute path) can reach anything else.
/// </summary>
public sealed class DashboardAssets
{
    private const string ResourcePrefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".json"] = "application/json; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, DashboardAsset> _assets;

    public DashboardAssets(IEnumerable<DashboardAsset> assets) =>
        _assets = assets.ToFrozenDictionary(a => a.Path, StringComparer.Ordinal);

    /// <summary>The files embedded in the Functions assembly, read once.</summary>
    public static DashboardAssets Embedded { get; } = FromAssembly(typeof(DashboardAssets).Assembly);

    public IReadOnlyCollection<string> Paths => _assets.Keys;

    public bool TryGet(string path, out DashboardAsset asset) => _assets.TryGetValue(path, out asset!);

    /// <summary>The media type served for <paramref name="path"/>; a file type the dashboard does not serve is a build mistake, so it throws.</summary>
    public static string ContentTypeOf(string path) =>
        ContentTypes.TryGetValue(System.IO.Path.GetExtension(path), out var type)
            ? type
            : throw new InvalidOperationException($"The dashboard has a file of a type it does not serve: '{path}' (add its media type to DashboardAssets).");

    public static DashboardAssets FromAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var assets = new List<DashboardAsset>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var path = name[ResourcePrefix.Length..].Replace('\\', '/');
            assets.Add(Create(path, buffer.ToArray()));
        }

        return new DashboardAssets(assets);
    }

    public static DashboardAsset Create(string path, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var hash = SHA256.HashData(content);
        var etag = "\"" + Convert.ToBase64String(hash, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "\"";
        return new DashboardAsset(path, content, ContentTypeOf(path), etag);
    }
}

namespace AlertPipeline.Testing;

/// <summary>Finds the repository root (the folder holding AlertPipeline.sln) from a test's output folder.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AlertPipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No AlertPipeline.sln above {AppContext.BaseDirectory}.");
    });

    public static string Root => LazyRoot.Value;

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}

using AlertPipeline.Testing;

namespace AlertPipeline.EndToEndTests.LocalHost;

/// <summary>Where the builds these tests run live.</summary>
public static class LocalHostBuild
{
    /// <summary>The build configuration of these tests (Debug or Release): the apps they run were built with the same one.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>The local host's own build output, for running it as a separate process.</summary>
    public static string LocalHostDll => RepositoryPaths.Combine("src", "AlertPipeline.LocalHost", "bin", Configuration, "net10.0", "AlertPipeline.LocalHost.dll");
}

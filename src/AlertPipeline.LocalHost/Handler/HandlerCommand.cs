using AlertPipeline.LocalHost.Configuration;

namespace AlertPipeline.LocalHost.Handler;

/// <summary>The handler's command line, as the Functions host builds it from host.json's <c>customHandler.description</c>.</summary>
internal static class HandlerCommand
{
    /// <summary>
    /// Resolves the command line. <paramref name="handlerOverride"/> (the <c>--handler</c> option) replaces
    /// <c>defaultExecutablePath</c>; an executable ending in <c>.dll</c> is run with <c>dotnet</c>. <c>%NAME%</c> in the
    /// arguments expands from <paramref name="environment"/> (the handler's environment).
    /// </summary>
    public static HandlerStartInfo Resolve(FunctionAppLayout app, string? handlerOverride, Func<string, string?> environment)
    {
        var description = app.Host.CustomHandler?.Description
                          ?? throw new LocalHostConfigurationException($"{app.Host.SourcePath}: customHandler is required to run a custom-handler app.");
        if (!string.IsNullOrWhiteSpace(handlerOverride))
        {
            var path = Path.GetFullPath(handlerOverride);
            if (!File.Exists(path))
            {
                throw new LocalHostConfigurationException($"--handler: '{path}' does not exist; build the handler first or fix the path.");
            }

            description = description with { DefaultExecutablePath = path };
        }

        var start = description.ResolveStartInfo(app.ScriptRoot, environment);
        var looksLikePath = Path.IsPathRooted(start.FileName)
                            || start.FileName.Contains('/', StringComparison.Ordinal)
                            || start.FileName.Contains('\\', StringComparison.Ordinal);
        if (looksLikePath && !File.Exists(Path.GetFullPath(start.FileName, start.WorkingDirectory)))
        {
            throw new LocalHostConfigurationException(
                $"{app.Host.SourcePath}: customHandler.description.defaultExecutablePath '{description.DefaultExecutablePath}' does not exist " +
                $"under {start.WorkingDirectory}; publish the handler there or pass --handler <path to the executable or .dll>.");
        }

        if (!Directory.Exists(start.WorkingDirectory))
        {
            throw new LocalHostConfigurationException(
                $"{app.Host.SourcePath}: customHandler.description.workingDirectory '{start.WorkingDirectory}' does not exist.");
        }

        return start.FileName.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? new HandlerStartInfo("dotnet", [Path.GetFullPath(start.FileName, start.WorkingDirectory), .. start.Arguments], start.WorkingDirectory)
            : start;
    }
}

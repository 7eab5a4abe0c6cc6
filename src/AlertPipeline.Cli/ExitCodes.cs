namespace AlertPipeline.Cli;

/// <summary>The exit codes of <c>alertpipeline</c> (docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The API refused the request (400, 409, 413, 415…) or answered an error (5xx), or something else failed.</summary>
    public const int Failed = 1;

    /// <summary>Bad command line: unknown command, a missing or invalid option or argument, an unreadable local file.</summary>
    public const int Usage = 2;

    /// <summary>A contacts import finished but rejected some lines (the report lists them).</summary>
    public const int LinesRejected = 3;

    /// <summary>401 or 403: no key, an unknown or revoked key, or a key whose role may not do this.</summary>
    public const int AccessDenied = 4;

    /// <summary>404: no such resource (or another union's, which looks the same).</summary>
    public const int NotFound = 5;

    /// <summary>The API or the storage account could not be reached.</summary>
    public const int Unreachable = 6;
}

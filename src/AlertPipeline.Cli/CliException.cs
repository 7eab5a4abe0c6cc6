namespace AlertPipeline.Cli;

/// <summary>A failure the CLI reports as one message and an exit code (never with a stack trace).</summary>
public class CliException(string message, int exitCode = ExitCodes.Failed, Exception? innerException = null) : Exception(message, innerException)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>A bad command line or local input, named by the option or file at fault.</summary>
public sealed class CliUsageException(string message) : CliException(message, ExitCodes.Usage);

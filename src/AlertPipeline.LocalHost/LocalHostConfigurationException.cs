namespace AlertPipeline.LocalHost;

/// <summary>
/// The local host cannot start: a setting, host.json, a function.json, a schedule or the handler is wrong. The message
/// names what is wrong and where (the file, the function, the field).
/// </summary>
public sealed class LocalHostConfigurationException : Exception
{
    public LocalHostConfigurationException(string message)
        : base(message)
    {
    }

    public LocalHostConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

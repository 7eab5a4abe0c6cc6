namespace AlertPipeline.CustomHandler;

/// <summary>
/// An invocation payload (request or response) is not what the protocol promises: a binding or metadata key is missing,
/// or a value has the wrong shape. The message names the binding or key, never the message content.
/// </summary>
public sealed class InvocationPayloadException : Exception
{
    public InvocationPayloadException(string message)
        : base(message)
    {
    }

    public InvocationPayloadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// The step cannot finish now and must run again later: the function fails the invocation so the queue redelivers the
/// message (Storage queue: after the visibility timeout; Service Bus: at once, up to MaxDeliveryCount). The message is
/// safe to log: it names keys and reasons, never a number, address or name.
/// </summary>
public sealed class PipelineRetryException : Exception
{
    public PipelineRetryException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

namespace AlertPipeline.Infrastructure.Storage.Queues;

/// <summary>
/// A received message. <see cref="MessageText"/> is exactly what the service holds; <see cref="Body"/> decodes it with
/// the receiving client's <see cref="Encoding"/>. Use <c>message with { PopReceipt = …, NextVisibleOn = … }</c> after an update.
/// ToString shows no text or receipt: message bodies can hold personal data.
/// </summary>
public sealed record QueueMessage(
    string MessageId,
    string PopReceipt,
    long DequeueCount,
    DateTimeOffset InsertionTime,
    DateTimeOffset ExpirationTime,
    DateTimeOffset NextVisibleOn,
    string MessageText,
    QueueMessageEncoding Encoding)
{
    /// <summary>The decoded text; throws FormatException when <see cref="MessageText"/> is not valid base64 (UTF-8) under Base64.</summary>
    public string Body => QueueMessageCodec.Decode(MessageText, Encoding);

    /// <summary>Decodes <see cref="MessageText"/>; false when it is not valid under <see cref="Encoding"/>.</summary>
    public bool TryGetBody(out string body) => QueueMessageCodec.TryDecode(MessageText, Encoding, out body, out _);

    public override string ToString() =>
        $"QueueMessage {{ MessageId = {MessageId}, DequeueCount = {DequeueCount}, NextVisibleOn = {NextVisibleOn:O}, MessageText = <{MessageText.Length} chars> }}";
}

/// <summary>A peeked message: no pop receipt, visibility unchanged.</summary>
public sealed record PeekedMessage(
    string MessageId,
    long DequeueCount,
    DateTimeOffset InsertionTime,
    DateTimeOffset ExpirationTime,
    string MessageText,
    QueueMessageEncoding Encoding)
{
    /// <inheritdoc cref="QueueMessage.Body"/>
    public string Body => QueueMessageCodec.Decode(MessageText, Encoding);

    /// <inheritdoc cref="QueueMessage.TryGetBody"/>
    public bool TryGetBody(out string body) => QueueMessageCodec.TryDecode(MessageText, Encoding, out body, out _);

    public override string ToString() =>
        $"PeekedMessage {{ MessageId = {MessageId}, DequeueCount = {DequeueCount}, MessageText = <{MessageText.Length} chars> }}";
}

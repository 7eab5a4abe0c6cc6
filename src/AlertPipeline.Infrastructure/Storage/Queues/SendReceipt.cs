namespace AlertPipeline.Infrastructure.Storage.Queues;

/// <summary>What the service answers to a sent message.</summary>
public sealed record SendReceipt(
    string MessageId,
    string PopReceipt,
    DateTimeOffset InsertionTime,
    DateTimeOffset ExpirationTime,
    DateTimeOffset TimeNextVisible);

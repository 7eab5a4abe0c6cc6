namespace AlertPipeline.Infrastructure.Storage.Queues;

/// <summary>What the service answers to an update: the new pop receipt (the old one is now invalid) and when the message shows again.</summary>
public sealed record UpdateReceipt(string PopReceipt, DateTimeOffset TimeNextVisible);

using System.Security.Cryptography;
using System.Text;

namespace AlertPipeline.Core.Pipeline;

/// <summary>What to do with a fan-out chunk found on <c>fanout-chunks-poison</c>.</summary>
public enum FanOutRedriveDecision
{
    /// <summary>Put it back on <c>fanout-chunks</c> (a chunk is idempotent: it writes only missing rows).</summary>
    Redrive,

    /// <summary>Its re-drive budget is spent: it stays poisoned and the alert's report says the fan-out is incomplete.</summary>
    GiveUp,
}

/// <summary>
/// Poisoned fan-out chunks (docs/reliability.md): a chunk killed mid-work on every one of its host.json dequeues goes to
/// <c>fanout-chunks-poison</c>, and its members would get no row. A chunk is idempotent, so the ScheduleTick re-drives it,
/// at most <see cref="PipelineOptions.FanOutRedriveBudget"/> times per chunk (counted per chunk, so a genuinely bad chunk
/// cannot loop for ever); past that it stays poisoned and the report flags the alert's fan-out as incomplete.
/// </summary>
public static class FanOutRedrive
{
    public static FanOutRedriveDecision Decide(int redrivesSoFar, int budget) =>
        redrivesSoFar < budget ? FanOutRedriveDecision.Redrive : FanOutRedriveDecision.GiveUp;

    /// <summary>The chunk's id within its alert: 32 hex of SHA-256 over union, branch, page and continuation token (keys only).</summary>
    public static string ChunkId(FanOutChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var text = $"{chunk.UnionId.Value}\n{chunk.BranchId.Value}\n{chunk.Page}\n{chunk.ContinuationToken}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }
}

namespace AlertPipeline.Core.Contacts;

/// <summary>A trade union: the tenant boundary for members' data.</summary>
public sealed record Union
{
    public Union(UnionId unionId, string name)
    {
        UnionId = unionId;
        Name = name;
    }

    public UnionId UnionId { get; init => field = DisplayText.NotNull(value, nameof(UnionId)); }

    public string Name { get; init => field = DisplayText.Require(value, nameof(Name)); }
}

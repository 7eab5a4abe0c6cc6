namespace AlertPipeline.Core.Contacts;

/// <summary>A branch of a union. <see cref="BranchId"/> is unique within its union only.</summary>
public sealed record Branch
{
    public Branch(UnionId unionId, BranchId branchId, string name)
    {
        UnionId = unionId;
        BranchId = branchId;
        Name = name;
    }

    public UnionId UnionId { get; init => field = DisplayText.NotNull(value, nameof(UnionId)); }

    public BranchId BranchId { get; init => field = DisplayText.NotNull(value, nameof(BranchId)); }

    public string Name { get; init => field = DisplayText.Require(value, nameof(Name)); }
}

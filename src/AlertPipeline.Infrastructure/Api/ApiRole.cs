namespace AlertPipeline.Infrastructure.Api;

/// <summary>What an API key may do within its union (docs/api.md).</summary>
public enum ApiRole
{
    /// <summary><c>union-admin</c>: the union's branches, contacts and keys.</summary>
    UnionAdmin = 1,

    /// <summary><c>organiser</c>: events, schedules and sends for campaigns the union's branches subscribe to.</summary>
    Organiser = 2,
}

public static class ApiRoles
{
    public const string UnionAdminName = "union-admin";
    public const string OrganiserName = "organiser";

    public static string ToName(this ApiRole role) => role switch
    {
        ApiRole.UnionAdmin => UnionAdminName,
        ApiRole.Organiser => OrganiserName,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    };

    public static bool TryParse(string? name, out ApiRole role)
    {
        (var ok, role) = name switch
        {
            UnionAdminName => (true, ApiRole.UnionAdmin),
            OrganiserName => (true, ApiRole.Organiser),
            _ => (false, default),
        };
        return ok;
    }
}

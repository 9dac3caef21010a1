using System.Security.Claims;

namespace ReportingApi.Security;

/// <summary>The OAuth2 scopes of the Cognito resource server <c>reports</c>; each is also an authorization policy.</summary>
public static class Scopes
{
    public const string Read = "reports/read";
    public const string Deliver = "reports/deliver";
    public const string Admin = "reports/admin";

    public static readonly IReadOnlyList<string> All = [Read, Deliver, Admin];

    public const string ClientIdClaim = "client_id";
    public const string ScopeClaim = "scope";

    /// <summary>Cognito puts all scopes in one space-separated <c>scope</c> claim; API Gateway may pass them one per claim.</summary>
    public static bool HasScope(this ClaimsPrincipal user, string scope) =>
        user.FindAll(ScopeClaim).Any(claim => claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope, StringComparer.Ordinal));

    public static string? ClientId(this ClaimsPrincipal user) => user.FindFirst(ClientIdClaim)?.Value;
}

namespace ReportingApi.Security;

public static class SecuredGroups
{
    /// <summary>
    /// A group of API endpoints that need a token with <paramref name="scope"/>. Every such group answers 401 without a
    /// valid token, 403 without the scope and 503 while the database is unavailable, so the OpenAPI document says so
    /// for each of its endpoints.
    /// </summary>
    public static RouteGroupBuilder MapSecuredGroup(this IEndpointRouteBuilder app, string prefix, string tag, string scope) =>
        app.MapGroup(prefix)
            .WithTags(tag)
            .RequireAuthorization(scope)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}

using Microsoft.AspNetCore.Http.HttpResults;
using ReportingApi.Problems;
using ReportingApi.Security;

namespace ReportingApi.Partners;

/// <summary>
/// Resolves the calling partner from the token's <c>client_id</c> and enforces its IP allowlist. Endpoints behind
/// it read the partner with <see cref="PartnerHttpContextExtensions.Partner"/>; it never comes from a request parameter.
/// </summary>
public sealed class PartnerAccessFilter(PartnerRegistry registry) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var clientId = http.User.ClientId();
        var partner = clientId is null ? null : await registry.FindByClientIdAsync(clientId, http.RequestAborted);
        if (partner is null)
        {
            return Forbidden(ProblemTypes.UnknownClient, "Unknown client", "Your client id is not registered as a partner. Contact us to be onboarded.");
        }

        if (!partner.Active)
        {
            return Forbidden(ProblemTypes.PartnerInactive, "Partner inactive", "Your partner account is inactive. Contact us to reactivate it.");
        }

        if (!partner.AllowsAddress(http.Connection.RemoteIpAddress))
        {
            return Forbidden(ProblemTypes.IpNotAllowed, "Address not allowed", $"Calls from {http.Connection.RemoteIpAddress} are not in your IP allowlist.");
        }

        http.Features.Set(partner);
        return await next(context);
    }

    private static ProblemHttpResult Forbidden(string type, string title, string detail) =>
        TypedResults.Problem(type: type, title: title, detail: detail, statusCode: StatusCodes.Status403Forbidden);
}

public static class PartnerHttpContextExtensions
{
    /// <summary>The partner that <see cref="PartnerAccessFilter"/> resolved for this request.</summary>
    public static Partner Partner(this HttpContext context) =>
        context.Features.Get<Partner>() ?? throw new InvalidOperationException("The endpoint is not behind PartnerAccessFilter.");

    public static RouteGroupBuilder RequirePartner(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter<PartnerAccessFilter>();
        return group;
    }
}

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;
using ReportingApi.Problems;

namespace ReportingApi.Security;

/// <summary>
/// What JwtBearer does beyond the token's signature, issuer and lifetime: it takes only access tokens that name a
/// client, leaves a request alone whose user the host has already authenticated, and answers 401 and 403 with
/// problem details and a <c>WWW-Authenticate</c> header (RFC 6750) instead of an empty response.
/// </summary>
internal sealed class AccessTokenEvents : JwtBearerEvents
{
    private const string TokenUseClaim = "token_use";
    private const string AccessTokenUse = "access";

    /// <summary>
    /// On Lambda, API Gateway's JWT authorizer has validated the token and Lambda.Hosting has made the request's user
    /// from the claims and scopes it passed on (<c>requestContext.authorizer.jwt</c>). API Gateway forwards the
    /// <c>Authorization</c> header too; validating it again would only fetch the issuer's keys from inside the VPC.
    /// </summary>
    public override Task MessageReceived(MessageReceivedContext context)
    {
        if (context.HttpContext.User.Identity?.IsAuthenticated == true)
        {
            context.NoResult();
        }

        return Task.CompletedTask;
    }

    /// <summary>Cognito signs ID tokens with the same keys: only <c>token_use</c> "access" may call the API, and only for a client.</summary>
    public override Task TokenValidated(TokenValidatedContext context)
    {
        var user = context.Principal!;
        if (user.FindFirst(TokenUseClaim)?.Value != AccessTokenUse)
        {
            context.Fail("Only access tokens are accepted (token_use 'access'), not ID tokens.");
        }
        else if (string.IsNullOrEmpty(user.ClientId()))
        {
            context.Fail("The access token names no client_id.");
        }

        return Task.CompletedTask;
    }

    public override Task Challenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var failure = context.AuthenticateFailure;
        context.Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        return context.HttpContext.WriteProblemAsync(
            StatusCodes.Status401Unauthorized,
            ProblemTypes.Unauthenticated,
            "Authentication required",
            failure switch
            {
                null => "Send an OAuth2 access token: 'Authorization: Bearer <token>' (client-credentials grant).",
                SecurityTokenExpiredException => "The access token has expired. Request a new one.",
                // Our own refusals (TokenValidated above); IdentityModel's messages are for the log, not the caller.
                AuthenticationFailureException refused => refused.Message,
                _ => "The access token is invalid or expired.",
            });
    }

    public override Task Forbidden(ForbiddenContext context)
    {
        // Policies are named after the scope they require (see SecurityExtensions).
        var scope = context.HttpContext.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(data => data.Policy).LastOrDefault(policy => policy is not null);
        context.Response.Headers.WWWAuthenticate = scope is null ? "Bearer error=\"insufficient_scope\"" : $"Bearer error=\"insufficient_scope\", scope=\"{scope}\"";
        return context.HttpContext.WriteProblemAsync(
            StatusCodes.Status403Forbidden,
            ProblemTypes.InsufficientScope,
            "Insufficient scope",
            $"Your access token lacks the scope this endpoint needs{(scope is null ? "" : $" ('{scope}')")}. Request a token with that scope.");
    }
}
